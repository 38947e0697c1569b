import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { contentRatingConstraints } from "@/lib/stories/ratings/labels";
import { offlineText } from "@/lib/ai/offline-model";
import { FIXED_WORDS, sentencesOf, wordsOf } from "@/lib/ai/offline-writer";
import { loadTemplate, type PromptTemplate, renderTemplate } from "@/lib/ai/prompts";

// The offline model's properties, as settled in DECISIONS.md (Author experience): deterministic per request; no
// sentence repeated; words only from the story, its codex and a fixed list of function words; paragraphs and
// indentation kept; one measurable effect per common instruction. Checked over random stories: random vocabulary,
// names, paragraphs and indentation.

const RESERVED = new Set([...FIXED_WORDS, "said", "every", "inside", "out", "one", "some", "after", "before", "each"]);
const word = (min: number, max: number) =>
  fc.stringMatching(new RegExp(`^[a-z]{${min},${max}}$`)).filter((w) => !RESERVED.has(w) && !/(?:ly|ing|s)$/.test(w));
const capital = (w: string) => w[0]!.toUpperCase() + w.slice(1);

interface Story {
  title: string;
  names: string[];
  previous: string;
  page: string;
  codex: { name: string; kind: string; aliases: string; description: string }[];
}

const storyArb: fc.Arbitrary<Story> = fc
  .record({
    names: fc.uniqueArray(word(4, 7).map(capital), { minLength: 1, maxLength: 3 }),
    nouns: fc.uniqueArray(word(3, 8), { minLength: 2, maxLength: 6 }),
    verbs: fc.uniqueArray(word(3, 6), { minLength: 2, maxLength: 4 }),
    adjectives: fc.uniqueArray(word(3, 7), { minLength: 1, maxLength: 3 }),
    pronoun: fc.constantFrom("she", "he", "they"),
    shape: fc.array(
      fc.record({
        indent: fc.constantFrom("", "  ", "    ", "\t"),
        sentences: fc.integer({ min: 2, max: 4 }),
        blank: fc.boolean(),
      }),
      {
        minLength: 1,
        maxLength: 4,
      },
    ),
    picks: fc.array(fc.nat(), { minLength: 60, maxLength: 60 }),
    withCodex: fc.boolean(),
  })
  .filter(({ names, nouns, verbs, adjectives }) => {
    const all = [...names.map((n) => n.toLowerCase()), ...nouns, ...verbs.map((v) => `${v}ed`), ...adjectives];
    return new Set(all).size === all.length;
  })
  .map(({ names, nouns, verbs, adjectives, pronoun, shape, picks, withCodex }) => {
    let k = 0;
    const pick = <T>(items: readonly T[]): T => items[picks[k++ % picks.length]! % items.length]!;
    const was = pronoun === "they" ? "were" : "was";
    const frames = [
      () => `${pick(names)} ${pick(verbs)}ed the ${pick(nouns)}.`,
      () => `The ${pick(nouns)} was ${pick(adjectives)}.`,
      () =>
        `${pick(names)} ${pick(verbs)}ed, and ${pronoun} ${pick(verbs)}ed the ${pick(nouns)} with the ${pick(nouns)}.`,
      () =>
        `${capital(pronoun)} ${was} ${pick(adjectives)} when ${pick(names)} ${pick(verbs)}ed at the ${pick(nouns)}.`,
      () => `Then ${pronoun} ${pick(verbs)}ed the ${pick(nouns)}, and the ${pick(nouns)} was ${pick(adjectives)}.`,
    ];
    const seen = new Set<string>();
    // Sentences of a story are distinct, as they are in a page worth revising.
    // (A story that still repeats one after 20 tries is filtered out below.)
    const sentence = (i: number): string => {
      let s = "";
      for (let tries = 0; tries < 20 && (s === "" || seen.has(s)); tries++) s = frames[(i + tries) % frames.length]!();
      seen.add(s);
      return s;
    };
    const previous = [sentence(0), sentence(1), sentence(2)].join(" ");
    const page = shape
      .map(
        (p, i) =>
          p.indent +
          Array.from({ length: p.sentences }, (_v, j) => sentence(i * 3 + j + 3)).join(" ") +
          (p.blank ? "\n" : ""),
      )
      .join("\n");
    return {
      title: `The ${capital(nouns[0]!)}`,
      names,
      previous,
      page,
      codex: withCodex
        ? [
            {
              name: names[0]!,
              kind: "character",
              aliases: "",
              description: `${names[0]} ${verbs[0]}ed the ${nouns[0]}.`,
            },
          ]
        : [],
    };
  })
  .filter((s) => {
    const all = `${s.previous}\n${s.page}`.split("\n").flatMap((l) => sentencesOf(l).map((x) => x.trim()));
    return new Set(all).size === all.length;
  });

const INSTRUCTIONS = ["", "shorter", "longer", "add a line of dialogue", "darker", "more detail", "make it better"];

let revise: PromptTemplate;
let write: PromptTemplate;
const reviseTemplate = () => revise;
async function templates() {
  revise ??= await loadTemplate("page_revise");
  write ??= await loadTemplate("page_write");
}

function revisePrompt(story: Story, instruction: string, page = story.page): Promise<string> {
  return renderTemplate(revise, {
    story: { title: story.title, description: "", language: "en" },
    codex: story.codex,
    context: [
      { kind: "neighbour", heading: "Page 1 of 2", text: story.previous },
      { kind: "target", heading: "Page 2 of 2", text: page },
    ],
    target: { number: 2, currentText: page },
    instruction,
    // Every real prompt carries its content rating: the offline model must not take its words for the story's.
    constraints: [contentRatingConstraints.general],
  });
}

function writePrompt(story: Story, instruction: string): Promise<string> {
  return renderTemplate(write, {
    story: { title: story.title, description: "", language: "en" },
    codex: story.codex,
    context: [
      { kind: "neighbour", heading: "Page 1 of 3", text: story.previous },
      { kind: "neighbour", heading: "Page 2 of 3", text: story.page },
      { kind: "target", heading: "Page 3 of 3", text: "" },
    ],
    target: { number: 3, hasNext: false },
    instruction,
    constraints: [contentRatingConstraints.general],
  });
}

function storyVocabulary(story: Story): Set<string> {
  const codex = story.codex.map((e) => `${e.name} ${e.aliases} ${e.description}`).join(" ");
  return new Set([...wordsOf(`${story.title} ${story.previous} ${story.page} ${codex}`), ...FIXED_WORDS]);
}

const sentencesOfText = (text: string) =>
  text.split("\n").flatMap((line) => sentencesOf(line.trim()).map((s) => s.trim().replace(/\s+/g, " ")));
const repeated = (text: string) => sentencesOfText(text).filter((s, i, all) => all.indexOf(s) !== i);
const indentation = (text: string) => text.split("\n").map((line) => /^[ \t]*/.exec(line)![0]);
const runs = { numRuns: 60 };

/**
 * Found by this property (seed 1581806220): shortened twice, two lines "Aaaa aaaed, and she …" both lost their
 * clause and became the same sentence. Kept as an example so the case runs every time.
 */
const SHORTENED_TWICE_TO_ONE_SENTENCE: Story = {
  title: "The Aaa",
  names: ["Aaaa"],
  previous: "Aaaa aaaed the aaa. The aab was aac. Aaaa aaaed, and she abaed the aaa with the aaa.",
  page: [
    "She was aac when Aaaa aaaed at the aaa. Then she aaaed the aaa, and the aaa was aac.",
    "Aaaa aaaed, and she aaaed the aab with the aaa. Aaaa aaaed, and she aaaed the aaa with the aab.",
    "Then she aaaed the aaa, and the aab was aac. Aaaa abaed the aaa.",
    "Aaaa aaaed, and she aaaed the aaa with the aaa. The aaa was aac.",
  ].join("\n"),
  codex: [],
};

/** A story begun on blank pages: only its title has words. */
const BLANK_STORY = { title: "A story", description: "", language: "en" };

/** `count` pages written one after the other by the offline model, each seeing the pages before it. */
async function writeFromNothing(count: number): Promise<string[]> {
  await templates();
  const written: string[] = [];
  for (let page = 1; page <= count; page++) {
    const prompt = await renderTemplate(write, {
      story: BLANK_STORY,
      codex: [],
      context: [
        ...written.map((text, i) => ({ kind: "neighbour", heading: `Page ${i + 1} of ${page}`, text })),
        { kind: "target", heading: `Page ${page} of ${page}`, text: "" },
      ],
      target: { number: page, hasNext: false },
      instruction: "",
      constraints: [contentRatingConstraints.general],
    });
    written.push(offlineText(prompt));
  }
  return written;
}

describe("offline model properties (DECISIONS.md, Author experience)", () => {
  it("is deterministic per request", async () => {
    await templates();
    await fc.assert(
      fc.asyncProperty(storyArb, fc.constantFrom(...INSTRUCTIONS), async (story, instruction) => {
        for (const prompt of [await revisePrompt(story, instruction), await writePrompt(story, instruction)])
          expect(offlineText(prompt)).toBe(offlineText(prompt));
      }),
      runs,
    );
  });

  it("repeats no sentence, in a new page, a revision, or a revision of its own revision", async () => {
    await templates();
    await fc.assert(
      fc.asyncProperty(storyArb, fc.constantFrom(...INSTRUCTIONS), async (story, instruction) => {
        const written = offlineText(await writePrompt(story, instruction));
        expect(repeated(written)).toEqual([]);
        const once = offlineText(await revisePrompt(story, instruction));
        expect(repeated(once)).toEqual([]);
        const twice = offlineText(await revisePrompt(story, instruction, once));
        expect(repeated(twice)).toEqual([]);
      }),
      { ...runs, examples: [[SHORTENED_TWICE_TO_ONE_SENTENCE, "shorter"]] },
    );
  });

  it("uses only words of the story, its codex and the fixed function words", async () => {
    await templates();
    await fc.assert(
      fc.asyncProperty(storyArb, fc.constantFrom(...INSTRUCTIONS, "from X's point of view"), async (story, asked) => {
        const instruction = asked.replace("X", story.names.at(-1)!);
        const allowed = storyVocabulary(story);
        for (const prompt of [await revisePrompt(story, instruction), await writePrompt(story, instruction)]) {
          const foreign = wordsOf(offlineText(prompt)).filter((w) => !allowed.has(w));
          expect(foreign).toEqual([]);
        }
      }),
      runs,
    );
  });

  it("keeps the page's lines, blank lines and indentation", async () => {
    await templates();
    await fc.assert(
      fc.asyncProperty(storyArb, fc.constantFrom(...INSTRUCTIONS, "from X's point of view"), async (story, asked) => {
        const out = offlineText(await revisePrompt(story, asked.replace("X", story.names[0]!)));
        expect(indentation(out)).toEqual(indentation(story.page));
        expect(out.split("\n").map((l) => l.trim() === "")).toEqual(story.page.split("\n").map((l) => l.trim() === ""));
      }),
      runs,
    );
  });

  it("has one measurable effect per common instruction", async () => {
    await templates();
    const count = (text: string) => wordsOf(text).length;
    await fc.assert(
      fc.asyncProperty(storyArb, async (story) => {
        const before = count(story.page);
        expect(count(offlineText(await revisePrompt(story, "shorter")))).toBeLessThan(before);
        expect(count(offlineText(await revisePrompt(story, "make it half as long")))).toBeLessThan(before);
        expect(count(offlineText(await revisePrompt(story, "longer")))).toBeGreaterThan(before);
        expect(count(offlineText(await revisePrompt(story, "more detail")))).toBeGreaterThan(before);
        expect(offlineText(await revisePrompt(story, "add dialogue"))).toMatch(/"[^"\n]+"/);
        expect(offlineText(await writePrompt(story, "add a line of dialogue"))).toMatch(/"[^"\n]+"/);
        // No instruction, or one it cannot read: still a visible revision, never the page word for word.
        expect(offlineText(await revisePrompt(story, ""))).not.toBe(story.page);
        expect(offlineText(await revisePrompt(story, "make it better"))).not.toBe(story.page);
        for (const name of story.names.filter((n) => `${story.previous} ${story.page}`.includes(n))) {
          const pov = offlineText(await revisePrompt(story, `from ${name}'s point of view`));
          expect(sentencesOfText(pov)[0]).toMatch(new RegExp(`^${name} `));
        }
      }),
      runs,
    );
  });
});

const capitalisedPronounMidSentence = /(?<=[\p{Ll},;] )(?:She|He|They|Her|His|Their)\b/u;

describe("offline model regressions (issue 14)", () => {
  const story: Story = {
    title: "The Quarry",
    names: ["Ines", "Bram"],
    previous: "Ines climbed the ridge at dawn. Bram waited below with the mules, and he counted the stones.",
    page: "The quarry was silent. Ines looked at the cut stone and said nothing.\n\nBram lifted the lantern.",
    codex: [],
  };

  it("a point of view through a character whose name is also a wish (Half, Long) changes only the point of view", async () => {
    await templates();
    // The counterexample fast-check found: "from Half's point of view" was read as "half as long" too.
    for (const name of ["Half", "Long"]) {
      const named: Story = {
        title: "The Aaa",
        names: [name, "Aaaa"],
        previous: `${name} aaaed the aaa. The aaa was aab. ${name} aaaed, and she aaaed the aaa with the aaa.`,
        page: `She was aab when ${name} aaaed at the aaa. Then she aaaed the aaa, and the aaa was aab.`,
        codex: [],
      };
      const pov = offlineText(await revisePrompt(named, `from ${name}'s point of view`));
      expect(sentencesOfText(pov)[0]).toMatch(new RegExp(`^${name} `));
    }
  });

  it('"add a line of dialogue" adds a quoted line', async () => {
    await templates();
    const out = offlineText(await revisePrompt(story, "add a line of dialogue"));
    expect(story.page).not.toContain('"');
    expect(out).toMatch(/"[^"\n]+[,?!.]" (?:Ines|Bram) said\./);
  });

  it("never capitalises a pronoun mid-sentence, even in a story without names", async () => {
    await templates();
    const nameless: Story = {
      title: "The Well",
      names: [],
      previous: "She walked to the well. She lowered the bucket, and the rope was cold.",
      page: "The well was deep. She pulled the rope.",
      codex: [],
    };
    for (const s of [story, nameless])
      for (const instruction of INSTRUCTIONS) {
        expect(offlineText(await writePrompt(s, instruction))).not.toMatch(capitalisedPronounMidSentence);
        expect(offlineText(await revisePrompt(s, instruction))).not.toMatch(capitalisedPronounMidSentence);
      }
  });

  it("a second revision with the same instruction repeats no sentence", async () => {
    await templates();
    for (const instruction of INSTRUCTIONS) {
      const once = offlineText(await revisePrompt(story, instruction));
      const twice = offlineText(await revisePrompt(story, instruction, once));
      expect(repeated(twice)).toEqual([]);
    }
  });

  it("keeps indentation and blank lines of a revised page", async () => {
    await templates();
    const page = "  The quarry was silent.\n\n\tInes looked at the stone.  Bram lifted the lantern.\n    It was late.";
    for (const instruction of INSTRUCTIONS) {
      const out = offlineText(await revisePrompt({ ...story, page }, instruction));
      expect(indentation(out)).toEqual(indentation(page));
      expect(out.split("\n")[1]).toBe("");
    }
  });

  it("revises its own first page of a story that is only a title and a line, however few words it has", async () => {
    // The admin's retry of a first Generate is a revision with no instruction of the page the model just wrote: with
    // two nouns and no verbs every "action" sentence is used up, and it came back word for word.
    await templates();
    const story = { title: "The Admin's Lighthouse", description: "A keeper and the sea.", language: "en" };
    const first = offlineText(
      await renderTemplate(write, {
        story,
        codex: [],
        context: [{ kind: "target", heading: "Page 1 of 1", text: "" }],
        target: { number: 1, hasNext: false },
        instruction: "",
        constraints: [contentRatingConstraints.teen],
      }),
    );
    const revise = (page: string) =>
      renderTemplate(reviseTemplate(), {
        story,
        codex: [],
        context: [{ kind: "target", heading: "Page 1 of 1", text: page }],
        target: { number: 1, currentText: page },
        instruction: "",
        constraints: [contentRatingConstraints.teen],
      });
    const second = offlineText(await revise(first));
    expect(second).not.toBe(first);
    expect(repeated(second)).toEqual([]);
    const third = offlineText(await revise(second));
    expect(third).not.toBe(second);
    expect(repeated(third)).toEqual([]);
  });

  it("writes page after page of a story begun on blank pages: never empty, no sentence repeated, no word of its own", async () => {
    // A story begun on a blank page has no words of its own: its first page used up the few sentences such a story
    // has, so Generate on its second page came back empty (GEN_EMPTY_OUTPUT, after every retry).
    const written = await writeFromNothing(12);
    expect(written.map((text, i) => (text.trim() === "" ? `page ${i + 1}` : null)).filter(Boolean)).toEqual([]);
    expect(repeated(written.join("\n"))).toEqual([]);
    const allowed = new Set([...wordsOf(BLANK_STORY.title), ...FIXED_WORDS]);
    expect(wordsOf(written.join(" ")).filter((w) => !allowed.has(w))).toEqual([]);
  });

  it("revises a page of a story begun on blank pages: each instruction changes it, repeats nothing", async () => {
    // Such a story's revisions ran out of sentences as its pages did, and came back word for word ("unchanged").
    const written = await writeFromNothing(4);
    const story = BLANK_STORY;
    const reviseLast = (page: string, instruction: string) =>
      renderTemplate(reviseTemplate(), {
        story,
        codex: [],
        context: [
          ...written.slice(0, 3).map((text, i) => ({ kind: "neighbour", heading: `Page ${i + 1} of 4`, text })),
          { kind: "target", heading: "Page 4 of 4", text: page },
        ],
        target: { number: 4, currentText: page },
        instruction,
        constraints: [contentRatingConstraints.general],
      });
    for (const instruction of ["", "longer", "more detail"]) {
      let page = written[3]!;
      for (let round = 1; round <= 6; round++) {
        const revised = offlineText(await reviseLast(page, instruction));
        expect(revised, `${instruction || "no instruction"}, revision ${round}`).not.toBe(page);
        expect(repeated([...written.slice(0, 3), revised].join("\n"))).toEqual([]);
        page = revised;
      }
    }
  });

  it("puts no phrase of the demo story into an unrelated story", async () => {
    await templates();
    const demoSource = fs.readFileSync(path.join(process.cwd(), "lib/stories/demo.ts"), "utf8");
    const demoText = /const demoPages = \[([\s\S]*?)\];/.exec(demoSource)![1]!;
    const mine = storyVocabulary(story);
    const demoOnly = new Set(wordsOf(demoText).filter((w) => !mine.has(w)));
    expect(demoOnly.size).toBeGreaterThan(20);
    for (const instruction of [...INSTRUCTIONS, "from Bram's point of view", "lighter"])
      for (const prompt of [await writePrompt(story, instruction), await revisePrompt(story, instruction)]) {
        const leaked = wordsOf(offlineText(prompt)).filter((w) => demoOnly.has(w));
        expect(leaked).toEqual([]);
      }
  });
});

describe("sentences", () => {
  it("'X said' joins a quotation's sentence only after a closing quote: 'She said nothing.' stands alone", () => {
    expect(sentencesOf('Mara walked home. She said nothing. "Where is it?" Mara said. Then she left.')).toEqual([
      "Mara walked home. ",
      "She said nothing. ",
      '"Where is it?" Mara said. ',
      "Then she left.",
    ]);
  });
});
