/*
 * The offline model's writing: new pages and revisions made only from the story at hand. It reads the story's own
 * names, nouns, verbs and adjectives out of the prompt and puts them into short sentence frames whose other words
 * come from FIXED_WORDS, so nothing from another story (the demo's lighthouse included) can leak into a page. The
 * properties it keeps are settled in DECISIONS.md (Author experience) and checked by
 * tests/ai/offline-model-properties.test.ts: deterministic per request, no sentence repeated, words only from the
 * story, its codex and FIXED_WORDS, paragraphs and indentation kept, one measurable effect per common instruction.
 */

/**
 * The only words the offline model adds of its own: function words (articles, pronouns, prepositions, conjunctions,
 * auxiliaries, a few adverbs) and the dialogue tag "said". Everything else it writes is taken from the story.
 */
export const FIXED_WORDS: ReadonlySet<string> = new Set(
  (
    "a an the and but or so then when while as if that this it its there here not never still again once " +
    "only even all at in on of to for from with by into beyond behind above below after before until " +
    "he she they him her them his their i me my we us our you your who what where is was were are be been " +
    "had has have did do could would nothing something everything somewhere nobody yet now no else said"
  ).split(" "),
);

/** The words of a text as the properties count them: letters, with inner apostrophes ("Mara's"), lowercased. */
export function wordsOf(text: string): string[] {
  return (text.match(/\p{L}+(?:['’]\p{L}+)*/gu) ?? []).map((w) => w.toLowerCase());
}

/**
 * Sentences of one line, each with the whitespace after it, so joining them gives the line back. A quotation and its
 * tag are one sentence ("Where is it?" she said.), so no lowercase word and no "X said" starts a sentence.
 */
export function sentencesOf(line: string): string[] {
  // "X said" continues a sentence only after a closing quotation mark: "She said nothing." after a plain full stop is
  // a sentence of its own.
  return line
    .split(/(?<=[.!?…]\s+)(?!\p{Ll})|(?<=[.!?…]["”’)]\s+)(?!\p{Ll}|\S+ said\b)/u)
    .filter((s) => s !== undefined && s !== "");
}

const norm = (sentence: string) => sentence.trim().replace(/\s+/g, " ").toLowerCase();

const PRONOUNS = ["she", "he", "they"] as const;
const DETERMINERS = "the|a|an|her|his|their|its";
const PREPOSITIONS =
  "at|to|into|in|on|from|through|across|toward|towards|over|under|down|up|out|back|along|past|off|with|for";
/** Words that open sentences without being names ("Inside the lamp room..."). */
const OPENERS = new Set(
  (
    "inside outside every each some after before one two three later suddenly perhaps maybe just even soon " +
    "out up down over under across through around across back far near most many few other another last first " +
    "next ever always sometimes often years days nights morning evening tonight today tomorrow yesterday"
  ).split(" "),
);
const DARK = ["dark", "cold", "black", "grey", "gray", "silent", "empty", "dead", "lonely", "bitter", "bleak", "deep"];
const WARM = ["warm", "bright", "golden", "gold", "soft", "gentle", "clear", "light", "sunny", "kind"];

/** What the offline model knows of a story: its vocabulary, sorted most frequent first (ties alphabetically). */
export interface StoryWords {
  names: string[];
  pronoun: string;
  nouns: string[];
  transitive: string[];
  /** Verbs with the objects the story gave them ("kept the lighthouse"). */
  pairs: string[];
  intransitive: string[];
  adjectives: string[];
  indent: string;
}

function ranked(items: Iterable<string>): string[] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([w]) => w);
}

const isFixed = (word: string) => FIXED_WORDS.has(word.toLowerCase());

/** Reads a story's vocabulary from its text and its codex's character names. */
export function storyWords(text: string, characters: readonly string[] = []): StoryWords {
  const flat = text.replace(/\s+/g, " ");
  // A character is a capitalised word that acts: followed by a lowercase word ("Mara kept"), not after a preposition
  // ("on Gull Rock" is a place).
  const actors: string[] = [];
  const midSentence = new Set<string>();
  for (const m of flat.matchAll(/(?:^|(?<=[\s"“(]))(\p{Lu}\p{Ll}{1,})(?= (?:\p{Lu}\p{Ll}+ )?(\p{Ll}+))/gu)) {
    const before = flat.slice(Math.max(0, m.index - 12), m.index);
    if (isFixed(m[1]!) || new RegExp(`\\b(?:${PREPOSITIONS}|of|the|a|an)\\s$`, "i").test(before)) continue;
    // Part of a longer name ("Gull Rock"): a place more often than a person.
    if (/\p{Lu}\p{Ll}*\s$/u.test(before)) continue;
    if (/[\p{Ll},;]\s$/u.test(before) || !OPENERS.has(m[1]!.toLowerCase())) midSentence.add(m[1]!);
    actors.push(m[1]!);
  }
  // A sentence's first word is a name only when the story never writes it in lowercase ("Every night" is not).
  const lowerWords = new Set(flat.match(/(?<![\p{L}'’])\p{Ll}+/gu) ?? []);
  const names = [
    ...new Set([
      ...characters,
      ...ranked(actors).filter((n) => midSentence.has(n) && !lowerWords.has(n.toLowerCase())),
    ]),
  ];
  const lower = flat.toLowerCase();
  const pronouns = ranked(
    [...lower.matchAll(/\b(she|he|they)\b/g)]
      .map((m) => m[1]!)
      .filter((p) => (PRONOUNS as readonly string[]).includes(p)),
  );
  // Starts where no letter precedes: `\b` knows only ASCII letters, so it never opens before "élodie".
  const subject = `(?<!\\p{L})(?:${["she", "he", "they", "i", "we", ...names.map((n) => n.toLowerCase())].map(escapeRegExp).join("|")})`;
  const acts = [
    ...lower.matchAll(
      new RegExp(`${subject} (\\p{L}{3,})( (?:${PREPOSITIONS}))? (?:${DETERMINERS}) (\\p{L}{3,})\\b`, "gu"),
    ),
  ].filter((m) => !/^(?:was|were|is|are|and|but|then|not|never|also|said)$/.test(m[1]!) && !m[1]!.endsWith("ly"));
  const transitive = ranked(acts.map((m) => m[1]! + (m[2] ?? "")));
  const intransitive = ranked(
    [...lower.matchAll(new RegExp(`${subject} (\\p{L}{3,})(?=[.,;!?]| and | but )`, "gu"))]
      .map((m) => m[1]!)
      .filter((w) => !isFixed(w) && !w.endsWith("ly")),
  );
  const nouns = ranked(
    [
      ...lower.matchAll(
        new RegExp(
          `\\b(?:${DETERMINERS}) (\\p{L}{3,})(?=[.,;:!?]| (?:${PREPOSITIONS}|of|and|but|was|were|had|as|that)\\b)`,
          "gu",
        ),
      ),
    ]
      .map((m) => m[1]!)
      .filter((w) => !isFixed(w) && !/(?:ly|ing)$/.test(w)),
  );
  const adjectives = ranked(
    [...lower.matchAll(/\b(?:was|were|is|are|been) (\p{L}{3,})(?=[.,;!?]| (?:and|but|for|when|as|in|at)\b)/gu)]
      .map((m) => m[1]!)
      .filter((w) => !isFixed(w) && !/(?:ly|ing|ed)$/.test(w)),
  );
  // Paragraphs as the author indents them: the most common indentation of the story's lines.
  const indent =
    ranked(
      text
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => /^[ \t]*/.exec(l)![0]),
    )[0] ?? "";
  const nounSet = new Set(nouns);
  const pairs = ranked(acts.filter((m) => nounSet.has(m[3]!)).map((m) => `${m[1]!}${m[2] ?? ""} the ${m[3]!}`));
  return {
    names,
    pronoun: pronouns[0] ?? "they",
    pairs,
    nouns,
    transitive,
    intransitive,
    adjectives,
    indent,
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** "was" or "were" for a noun: a plain English plural guess (a final s, not ss/us/is). */
function be(noun: string): string {
  return /[^su]s$/.test(noun) && !noun.endsWith("is") ? "were" : "was";
}

function capitalise(sentence: string): string {
  return sentence.replace(/^(["“]?)(\p{Ll})/u, (_m, quote: string, letter: string) => quote + letter.toUpperCase());
}

/** When something happens, in function words only ("" = no opener). */
const FILLER_OPENERS = [
  "",
  "then",
  "and then",
  "still",
  "even then",
  "only then",
  "by then",
  "again",
  "now",
  "once",
  "after that",
  "before that",
  "until then",
  "even now",
  "so",
  "yet",
  "but then",
  "and so",
  "for a while",
  "all the while",
];

/** What a subject was or did, in function words only; `be` is "was" or "were". */
const fillerPredicates = (be: string) => [
  `${be} there`,
  `${be} not there`,
  `${be} here`,
  `${be} still there`,
  `${be} there again`,
  `${be} not there yet`,
  `${be} beyond it`,
  `${be} behind them`,
  `${be} above it all`,
  `${be} below it`,
  `${be} with them`,
  `${be} in it`,
  "had it",
  "had nothing",
  "had something",
  "had all of it",
  "had nothing else",
  "could not do it",
  "did not do it",
  "would not do it",
];

/**
 * Sentences made of FIXED_WORDS and the story's own subjects (its characters, or its pronoun), every opener with
 * every predicate: some thousands, so that a story of no words of its own can go on for hundreds of pages before
 * one would have to repeat a sentence.
 */
function fillerSentences(subjects: readonly string[]): string[] {
  const out: string[] = [];
  const who = [...subjects, "it", "nobody", "something", "everything"];
  for (const s of who) {
    const be = s === "they" || s === "we" || s === "you" ? "were" : "was";
    // "Nobody had nothing" says the opposite of what it means: a negative subject takes no negative predicate.
    const predicates = fillerPredicates(be).filter((p) => s !== "nobody" || !/\b(?:not|nothing)\b/.test(p));
    for (const opener of FILLER_OPENERS)
      for (const predicate of predicates) out.push(capitalise(`${opener ? `${opener} ` : ""}${s} ${predicate}.`));
  }
  return out;
}

/** A deterministic shuffle: the order of candidates for one request. */
function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export type SentenceKind = "action" | "detail" | "dialogue" | "darker" | "lighter" | "pov";

/**
 * Writes new sentences from the story's words, never one already in `used` (which it extends): so a second revision
 * or a long page repeats nothing. `subject` forces who acts (a point of view).
 */
export class SentenceMaker {
  constructor(
    private readonly words: StoryWords,
    private readonly random: () => number,
    readonly used: Set<string> = new Set(),
  ) {}

  remember(text: string): void {
    for (const line of text.split("\n")) for (const s of sentencesOf(line)) this.used.add(norm(s));
  }

  private subjects(subject?: string): string[] {
    if (subject) return [subject];
    return this.words.names.length > 0 ? this.words.names.slice(0, 4) : [this.words.pronoun];
  }

  /** Candidate sentences grouped by frame, so each frame is as likely as another however many fillings it has. */
  private candidates(kind: SentenceKind, subject?: string): string[][] {
    const w = this.words;
    const subjects = this.subjects(subject);
    const nouns = w.nouns.slice(0, 8);
    const acts =
      w.pairs.length > 0
        ? w.pairs.slice(0, 8)
        : (w.transitive.length > 0 ? w.transitive.slice(0, 4) : ["had"]).flatMap((v) =>
            nouns.map((n) => `${v} the ${n}`),
          );
    const adjectives = w.adjectives.slice(0, 6);
    const groups: string[][] = [];
    const frame = (make: () => string[]) => groups.push(make());
    const forAll = <T>(items: readonly T[], f: (item: T) => string[]) => items.flatMap(f);
    switch (kind) {
      case "pov":
        // The character leads the sentence: the subject of its main clause.
        frame(() => forAll(subjects, (s) => acts.map((a) => `${s} ${a}.`)));
        frame(() => forAll(subjects, (s) => w.intransitive.slice(0, 4).map((v) => `${s} ${v}.`)));
        if (groups.every((g) => g.length === 0))
          frame(() => subjects.map((s) => `${s} ${s === "they" ? "were" : "was"} there.`));
        break;
      case "action":
        frame(() => forAll(subjects, (s) => acts.map((a) => `${s} ${a}.`)));
        frame(() => forAll(subjects, (s) => acts.map((a) => `Then ${s} ${a} again.`)));
        frame(() => forAll(subjects, (s) => w.intransitive.slice(0, 4).map((v) => `${s} ${v}.`)));
        frame(() => forAll(subjects, (s) => w.intransitive.slice(0, 4).map((v) => `For a while ${s} ${v}.`)));
        frame(() =>
          forAll(subjects, (s) =>
            forAll(acts, (a) =>
              nouns.filter((n) => !a.endsWith(` ${n}`)).map((n) => `When ${s} ${a}, the ${n} ${be(n)} still there.`),
            ),
          ),
        );
        frame(() =>
          forAll(subjects, (s) =>
            forAll(acts, (a) =>
              forAll(nouns, (n) => adjectives.map((j) => `${s} ${a}, but the ${n} ${be(n)} still ${j}.`)),
            ),
          ),
        );
        // A story with no words to borrow yet (a first blank page): sentences of function words only.
        if (groups.every((g) => g.length === 0))
          for (const s of subjects) {
            const was = s === "they" ? "were" : "was";
            frame(() => [`${s} ${was} there.`, `Then ${s} ${was} not there.`, `${s} ${was} here now.`]);
            frame(() => ["Nobody was there yet.", "And then there was something.", "It was not there yet."]);
            frame(() => [`${s} had it.`, `${s} had nothing.`, `It was all ${s} had.`]);
          }
        break;
      case "detail":
        frame(() => forAll(nouns, (n) => adjectives.map((j) => `The ${n} ${be(n)} ${j}.`)));
        frame(() => forAll(nouns, (n) => adjectives.map((j) => `Even the ${n} ${be(n)} ${j}.`)));
        frame(() =>
          forAll(nouns, (n) =>
            forAll(
              nouns.filter((m) => m !== n),
              (m) => adjectives.map((j) => `The ${n} ${be(n)} ${j}, and so ${be(m)} the ${m}.`),
            ),
          ),
        );
        frame(() =>
          forAll(nouns, (n) =>
            nouns
              .filter((m) => m !== n)
              .map((m) => `There ${be(n)} the ${n}, and beyond ${be(n) === "were" ? "them" : "it"} the ${m}.`),
          ),
        );
        frame(() =>
          forAll(nouns, (n) => nouns.filter((m) => m !== n).map((m) => `Beyond the ${n} ${be(m)} the ${m}.`)),
        );
        frame(() => nouns.map((n) => `There ${be(n)} the ${n}, and nothing else.`));
        frame(() =>
          forAll(
            subjects.filter((x) => !isFixed(x)),
            (x) => nouns.map((n) => `Behind ${x} ${be(n)} the ${n}.`),
          ),
        );
        if (groups.every((g) => g.length === 0)) return this.candidates("action", subject);
        break;
      case "dialogue":
        for (const s of subjects) {
          frame(() =>
            nouns.map((n) => `"Where ${n.endsWith("s") && be(n) === "were" ? "are" : "is"} the ${n}?" ${s} said.`),
          );
          frame(() => nouns.map((n) => `"Is that the ${n}?" ${s} said.`));
          frame(() => nouns.map((n) => `"It was the ${n}," ${s} said.`));
          frame(() =>
            forAll(nouns, (n) =>
              adjectives.map((j) => `"The ${n} ${be(n) === "were" ? "are" : "is"} ${j}," ${s} said.`),
            ),
          );
          frame(() => [`"Is it there?" ${s} said.`, `"Not yet," ${s} said.`, `"Where is it?" ${s} said.`]);
        }
        break;
      case "darker": {
        const dark = adjectives.filter((j) => DARK.includes(j));
        frame(() => forAll(nouns, (n) => dark.map((d) => `Somewhere beyond the ${n}, everything was ${d}.`)));
        frame(() => forAll(nouns, (n) => dark.map((d) => `Even the ${n} ${be(n)} ${d} now.`)));
        frame(() => nouns.map((n) => `And then there was nothing at all, not even the ${n}.`));
        frame(() => nouns.map((n) => `Something behind the ${n} was still there.`));
        if (nouns.length === 0) frame(() => ["And then there was nothing at all.", "Something was still there."]);
        break;
      }
      case "lighter": {
        const warm = adjectives.filter((j) => WARM.includes(j));
        frame(() => forAll(nouns, (n) => warm.map((j) => `For once the ${n} ${be(n)} ${j}.`)));
        frame(() => nouns.map((n) => `For once the ${n} was all ${subjects[0]} had, and that was something.`));
        frame(() => ["For once that was something."]);
        break;
      }
    }
    return groups.filter((g) => g.length > 0).map((g) => g.map((s) => capitalise(s)));
  }

  /**
   * A new sentence of the first kind that still has one: a story of a few words runs out of action sentences after a
   * page or two, and a revision must still change something.
   */
  makeAny(kinds: readonly SentenceKind[], subject?: string): string | null {
    for (const kind of kinds) {
      const sentence = this.make(kind, kind === "dialogue" ? undefined : subject);
      if (sentence) return sentence;
    }
    return null;
  }

  private fillers: Map<string, string[]> = new Map();

  /**
   * A new sentence of function words only, or null in the unlikely case that thousands are used: the last resort of
   * a page whose story has too few words left to make one (a story begun on a blank page has none of its own, and
   * its first page used up the few frames a story without words has, so its second page came back empty).
   */
  filler(subject?: string, { led = false }: { led?: boolean } = {}): string | null {
    const key = subject ?? "";
    let list = this.fillers.get(key);
    if (!list) {
      list = shuffled(fillerSentences(this.subjects(subject)), this.random);
      this.fillers.set(key, list);
    }
    // A point of view asks for the character as the sentence's subject: only sentences that open with them.
    const lead =
      led && subject ? new RegExp(`(?:^|\\s)${escapeRegExp(subject)} (?:was|were|had|could|did|would) `, "u") : null;
    for (const candidate of list) {
      if (lead && !lead.test(candidate)) continue;
      if (!this.used.has(norm(candidate))) {
        this.used.add(norm(candidate));
        return candidate;
      }
    }
    return null;
  }

  /** A new sentence of the kind asked, or null when the story's words cannot make one that is not used yet. */
  make(kind: SentenceKind, subject?: string): string | null {
    for (const group of shuffled(this.candidates(kind, subject), this.random)) {
      for (const candidate of shuffled(group, this.random)) {
        if (!this.used.has(norm(candidate))) {
          this.used.add(norm(candidate));
          return candidate;
        }
      }
    }
    return null;
  }
}

/** The instruction's effect, read from the writer's words. */
export interface Instruction {
  shorter: boolean;
  longer: boolean;
  detail: boolean;
  dialogue: boolean;
  darker: boolean;
  lighter: boolean;
  /** The character named in "from X's point of view", as the story spells it. */
  pov: string | null;
  any: boolean;
}

export function readInstruction(text: string, names: readonly string[], story = ""): Instruction {
  const povMatch =
    /from (.+?)(?:'s|’s|s') (?:point of view|perspective|pov|eyes)/i.exec(text) ??
    /(?:point of view|perspective|pov) of (.+?)(?:[,.;]|$)/i.exec(text);
  let pov: string | null = null;
  if (povMatch) {
    const asked = povMatch[1]!.trim().replace(/^the /i, "");
    pov =
      names.find((n) => n.toLowerCase() === asked.toLowerCase()) ??
      names.find((n) => n.toLowerCase().split(" ").includes(asked.toLowerCase())) ??
      // Someone the story names whom the model did not take for a character.
      (/^\p{Lu}/u.test(asked) && new RegExp(`\\b${escapeRegExp(asked)}\\b`, "u").test(story) ? asked : null);
  }
  // The other wishes are read without the point of view's name: a character called Half or Long is not a length.
  const lower = (povMatch ? text.replace(povMatch[0], " ") : text).toLowerCase();
  const shorter = /\b(?:short|shorter|shorten|half|concise|trim|tighten|tighter|cut|brief|briefer|condense)\b/.test(
    lower,
  );
  const dialogue = /dialog|speech|\bquote|\bspeak|\btalk|conversation|\bsays?\b/.test(lower);
  const detail = /detail|descri|vivid|sensory|richer/.test(lower);
  const longer = !shorter && /\b(?:long|longer|lengthen|expand|extend|elaborate|more)\b/.test(lower);
  return {
    shorter,
    longer: longer || detail,
    detail,
    dialogue,
    darker: /dark|grim|ominous|sinister|bleak|menac|tense|scar/.test(lower),
    lighter: /\blight(?:er|en)?\b|funn|hopeful|warm|happ|cheer|humou?r/.test(lower),
    pov,
    any: text.trim() !== "",
  };
}

/** A line's sentences without every other one (its first kept); null when it has fewer than two. */
function dropAlternate(parts: string[]): string[] | null {
  if (parts.length < 2) return null;
  return parts.filter((_s, i) => i % 2 === 0);
}

/** The sentence up to its last comma, closed with its own end mark; null when it has no clause to lose. */
function cutClause(sentence: string): string | null {
  const body = sentence.trimEnd();
  const space = sentence.slice(body.length);
  if (/["“”]/.test(body)) return null;
  const m = /^(.*\p{L}),[^,]+?([.!?…])$/u.exec(body);
  return m ? `${m[1]}${m[2]}${space}` : null;
}

/** Inserts a sentence after the first sentence of a line (or at the end of a one-sentence line). */
function insertAfterFirst(line: string, sentence: string): string {
  const parts = sentencesOf(line);
  if (parts.length === 0) return sentence;
  const first = parts[0]!;
  const rest = parts.slice(1).join("");
  if (rest === "") return `${first.trimEnd()} ${sentence}${first.slice(first.trimEnd().length)}`;
  return `${first}${sentence}${/\s+$/.exec(first)?.[0] ?? " "}${rest}`;
}

/** A line's text between its indentation and its end. */
interface Line {
  indent: string;
  text: string;
}

/**
 * Revises text line by line: every line break, blank line and indentation stays where the author put it; only the
 * sentences inside lines change. `first` says whether this text starts the page (a sectioned page gets its one-off
 * additions — a dialogue line, a mood line, a point of view — once, in its first section).
 */
export function reviseText(
  body: string,
  instruction: Instruction,
  maker: SentenceMaker,
  options: { first: boolean },
): string {
  maker.remember(body);
  // Odd pieces are separators (a newline and the next line's indentation), kept untouched.
  const pieces = body.split(/(\n[ \t]*)/);
  const lines: Line[] = pieces.map((piece, i) => {
    if (i % 2 === 1) return { indent: "", text: piece };
    const indent = i === 0 ? /^[ \t]*/.exec(piece)![0] : "";
    return { indent, text: piece.slice(indent.length) };
  });
  const textLines = lines.filter((_l, i) => i % 2 === 0 && lines[i]!.text.trim() !== "");

  if (instruction.shorter) {
    let changed = false;
    for (const line of textLines) {
      const kept = dropAlternate(sentencesOf(line.text));
      if (kept) {
        line.text = kept.join("").trimEnd();
        changed = true;
      }
    }
    // A page of one-sentence lines loses trailing clauses instead, except where the shorter sentence is one the
    // page already has (two lines "X did, and …" would both become "X did.").
    if (!changed) {
      const present = new Set(textLines.flatMap((line) => sentencesOf(line.text).map(norm)));
      for (const line of textLines)
        line.text = sentencesOf(line.text)
          .map((sentence) => {
            const cut = cutClause(sentence);
            if (cut === null || present.has(norm(cut))) return sentence;
            present.add(norm(cut));
            return cut;
          })
          .join("")
          .trimEnd();
    }
  } else {
    if (options.first && instruction.pov && textLines[0]) {
      const pov = instruction.pov;
      const line = textLines[0];
      // The character becomes the subject of the page's first sentence: taking the place of a pronoun there, or
      // acting in a sentence of their own before it.
      const replaced = line.text.replace(/^(She|He|They)\b/, pov);
      if (replaced !== line.text && !maker.used.has(norm(sentencesOf(replaced)[0]!))) line.text = replaced;
      else if (!line.text.startsWith(`${pov} `)) {
        const sentence = maker.make("pov", pov) ?? maker.filler(pov, { led: true });
        if (sentence) line.text = `${sentence} ${line.text}`;
      }
    }
    const additions: SentenceKind[] = [];
    if (options.first && instruction.dialogue) additions.push("dialogue");
    if (options.first && instruction.darker) additions.push("darker");
    if (options.first && instruction.lighter && !instruction.darker) additions.push("lighter");
    if (options.first && additions.length === 0 && !instruction.longer && !instruction.pov)
      // No instruction, or one it cannot read: a revision that came back word for word would look like nothing
      // happened, so the page gains one sentence.
      additions.push("action");
    let target = 0;
    for (const kind of additions) {
      const line = textLines[target];
      const sentence =
        kind === "action"
          ? (maker.makeAny(["action", "detail", "dialogue", "darker"], instruction.pov ?? undefined) ??
            maker.filler(instruction.pov ?? undefined))
          : maker.make(kind, kind === "dialogue" ? undefined : (instruction.pov ?? undefined));
      if (line && sentence) line.text = insertAfterFirst(line.text, sentence);
      target = Math.min(target + 1, textLines.length - 1);
    }
    if (instruction.longer)
      for (const line of textLines) {
        const sentence =
          maker.make(instruction.detail ? "detail" : "action", instruction.pov ?? undefined) ??
          maker.filler(instruction.pov ?? undefined);
        if (sentence) line.text = insertAfterFirst(line.text, sentence);
      }
  }
  return lines.map((l) => l.indent + l.text).join("");
}

/** A new page: two or three paragraphs (one when asked for a short page), indented as the story indents. */
export function writeText(instruction: Instruction, maker: SentenceMaker, indent: string): string {
  const paragraphs = instruction.shorter ? 1 : instruction.longer ? 4 : 3;
  const perParagraph = instruction.shorter ? 3 : 4;
  const subject = instruction.pov ?? undefined;
  const out: string[] = [];
  for (let p = 0; p < paragraphs; p++) {
    const sentences: string[] = [];
    for (let s = 0; s < perParagraph; s++) {
      const kind: SentenceKind =
        p === 0 && s === 1 && instruction.dialogue
          ? "dialogue"
          : p === 0 && s === 2 && instruction.darker
            ? "darker"
            : p === 0 && s === 2 && instruction.lighter
              ? "lighter"
              : s % 2 === 1 || instruction.detail
                ? "detail"
                : "action";
      const sentence =
        maker.make(kind, kind === "dialogue" ? undefined : subject) ??
        maker.make("action", subject) ??
        maker.filler(subject);
      if (sentence) sentences.push(sentence);
    }
    if (sentences.length > 0) out.push(indent + sentences.join(" "));
  }
  return out.join("\n\n");
}
