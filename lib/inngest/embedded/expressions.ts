/**
 * The subset of CEL (Common Expression Language) that Inngest configs use here: trigger `if`, `cancelOn` (
 * `event.data.x == async.data.x`), concurrency and debounce keys (`event.data.pageId`). Supported: member access
 * (`a.b`, `a["b"]`, `a[0]`), literals (strings, numbers, true, false, null), `== != < <= > >=`, `&& || !`, `+ -`,
 * parentheses. Anything else is a parse error, raised at registration so that an unsupported expression is never
 * silently ignored.
 */

type Node =
  | { t: "lit"; v: unknown }
  | { t: "var"; name: string }
  | { t: "member"; obj: Node; key: Node }
  | { t: "unary"; op: "!" | "-"; arg: Node }
  | { t: "binary"; op: string; left: Node; right: Node };

type Token = { k: "num" | "str" | "ident" | "op"; v: string };

const OPERATORS = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "+", "-", ".", "[", "]", "(", ")"];

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (/[0-9]/.test(ch)) {
      const m = /^\d+(\.\d+)?/.exec(src.slice(i))!;
      tokens.push({ k: "num", v: m[0] });
      i += m[0].length;
      continue;
    }
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      let value = "";
      while (j < src.length && src[j] !== ch) {
        if (src[j] === "\\" && j + 1 < src.length) {
          const next = src[j + 1]!;
          value += next === "n" ? "\n" : next === "t" ? "\t" : next;
          j += 2;
        } else value += src[j++];
      }
      if (j >= src.length) throw new Error(`Unterminated string in expression: ${src}`);
      tokens.push({ k: "str", v: value });
      i = j + 1;
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      tokens.push({ k: "ident", v: m[0] });
      i += m[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) throw new Error(`Unsupported character "${ch}" in expression: ${src}`);
    tokens.push({ k: "op", v: op });
    i += op.length;
  }
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly src: string,
    private readonly variables: readonly string[],
  ) {}

  parse(): Node {
    const node = this.or();
    if (this.pos < this.tokens.length) this.fail(`unexpected "${this.tokens[this.pos]!.v}"`);
    return node;
  }

  private fail(why: string): never {
    throw new Error(`Unsupported expression (${why}): ${this.src}`);
  }
  private peekOp(...ops: string[]): string | undefined {
    const tok = this.tokens[this.pos];
    return tok?.k === "op" && ops.includes(tok.v) ? tok.v : undefined;
  }
  private expectOp(op: string) {
    if (!this.peekOp(op)) this.fail(`expected "${op}"`);
    this.pos++;
  }
  private binary(next: () => Node, ops: string[]): Node {
    let left = next();
    for (let op = this.peekOp(...ops); op; op = this.peekOp(...ops)) {
      this.pos++;
      left = { t: "binary", op, left, right: next() };
    }
    return left;
  }
  private or = (): Node => this.binary(this.and, ["||"]);
  private and = (): Node => this.binary(this.eq, ["&&"]);
  private eq = (): Node => this.binary(this.rel, ["==", "!="]);
  private rel = (): Node => this.binary(this.add, ["<", "<=", ">", ">="]);
  private add = (): Node => this.binary(this.unary, ["+", "-"]);
  private unary = (): Node => {
    const op = this.peekOp("!", "-");
    if (op === "!" || op === "-") {
      this.pos++;
      return { t: "unary", op, arg: this.unary() };
    }
    return this.member();
  };
  private member(): Node {
    let node = this.primary();
    for (;;) {
      if (this.peekOp(".")) {
        this.pos++;
        const tok = this.tokens[this.pos++];
        if (tok?.k !== "ident") this.fail("expected a field name after '.'");
        node = { t: "member", obj: node, key: { t: "lit", v: tok.v } };
      } else if (this.peekOp("[")) {
        this.pos++;
        const key = this.or();
        this.expectOp("]");
        node = { t: "member", obj: node, key };
      } else if (this.peekOp("(")) {
        this.fail("function calls are not supported");
      } else return node;
    }
  }
  private primary(): Node {
    const tok = this.tokens[this.pos++];
    if (!tok) this.fail("unexpected end");
    if (tok.k === "num") return { t: "lit", v: Number(tok.v) };
    if (tok.k === "str") return { t: "lit", v: tok.v };
    if (tok.k === "ident") {
      if (tok.v === "true") return { t: "lit", v: true };
      if (tok.v === "false") return { t: "lit", v: false };
      if (tok.v === "null") return { t: "lit", v: null };
      if (this.peekOp("(")) this.fail(`function calls are not supported (${tok.v})`);
      if (!this.variables.includes(tok.v)) this.fail(`unknown name "${tok.v}"; allowed: ${this.variables.join(", ")}`);
      return { t: "var", name: tok.v };
    }
    if (tok.v === "(") {
      const inner = this.or();
      this.expectOp(")");
      return inner;
    }
    this.fail(`unexpected "${tok.v}"`);
  }
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return a === b;
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

function evaluate(node: Node, scope: Record<string, unknown>): unknown {
  switch (node.t) {
    case "lit":
      return node.v;
    case "var":
      return scope[node.name];
    case "member": {
      const obj = evaluate(node.obj, scope);
      const key = evaluate(node.key, scope);
      if (obj === null || typeof obj !== "object") return undefined;
      if (typeof key !== "string" && typeof key !== "number") return undefined;
      return Object.hasOwn(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
    }
    case "unary": {
      const v = evaluate(node.arg, scope);
      return node.op === "!" ? v !== true : typeof v === "number" ? -v : undefined;
    }
    case "binary": {
      if (node.op === "&&") return evaluate(node.left, scope) === true && evaluate(node.right, scope) === true;
      if (node.op === "||") return evaluate(node.left, scope) === true || evaluate(node.right, scope) === true;
      const l = evaluate(node.left, scope);
      const r = evaluate(node.right, scope);
      switch (node.op) {
        case "==":
          return jsonEqual(l, r);
        case "!=":
          return !jsonEqual(l, r);
        case "+":
          if (typeof l === "number" && typeof r === "number") return l + r;
          if (typeof l === "string" && typeof r === "string") return l + r;
          return undefined;
        case "-":
          return typeof l === "number" && typeof r === "number" ? l - r : undefined;
        default: {
          const comparable =
            (typeof l === "number" && typeof r === "number") || (typeof l === "string" && typeof r === "string");
          if (!comparable) return false;
          const [a, b] = [l as number | string, r as number | string];
          return node.op === "<" ? a < b : node.op === "<=" ? a <= b : node.op === ">" ? a > b : a >= b;
        }
      }
    }
  }
}

export interface Expression {
  source: string;
  /** The value of the expression (undefined for a missing field). */
  value(scope: Record<string, unknown>): unknown;
  /** True only when the expression evaluates to boolean true. */
  test(scope: Record<string, unknown>): boolean;
}

const cache = new Map<string, Expression>();

/** Parses once (throws on anything outside the subset) and caches by source and allowed variables. */
export function compileExpression(source: string, variables: readonly string[] = ["event"]): Expression {
  const cacheKey = `${variables.join(",")}|${source}`;
  const hit = cache.get(cacheKey);
  if (hit) return hit;
  const ast = new Parser(tokenize(source), source, variables).parse();
  const expr: Expression = {
    source,
    value: (scope) => evaluate(ast, scope),
    test: (scope) => evaluate(ast, scope) === true,
  };
  cache.set(cacheKey, expr);
  return expr;
}
