// A small reader of the Prometheus text exposition format (0.0.4), strict enough that a
// malformed line fails the test instead of being skipped: HELP, TYPE, and samples with
// escaped label values.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help?: string;
  type?: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string): Family => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, samples: [] }));
    return f;
  };
  if (!text.endsWith("\n")) throw new Error("the exposition must end with a newline");
  text.slice(0, -1).split("\n").forEach((line, i) => {
    const where = `line ${i + 1}: ${JSON.stringify(line)}`;
    if (line.trim() === "") return;
    if (line.startsWith("#")) {
      const m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
      if (!m) {
        if (/^# (HELP|TYPE)\b/.test(line)) throw new Error(`malformed ${where}`);
        return; // a plain comment
      }
      const f = family(m[2]!);
      if (m[1] === "HELP") {
        if (f.help !== undefined) throw new Error(`second HELP, ${where}`);
        f.help = m[3]!.replace(/\\(n|\\)/g, (_, c: string) => (c === "n" ? "\n" : "\\"));
      } else {
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(m[3]!)) throw new Error(`unknown type, ${where}`);
        if (f.type !== undefined || f.samples.length) throw new Error(`TYPE after samples or twice, ${where}`);
        f.type = m[3]!;
      }
      return;
    }
    const sample = parseSample(line, where);
    family(baseName(sample.name, families)).samples.push(sample);
  });
  return families;
}

function parseSample(line: string, where: string): Sample {
  const name = NAME.exec(line)?.[0];
  if (!name) throw new Error(`no metric name, ${where}`);
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith("{")) {
    rest = rest.slice(1);
    while (!rest.startsWith("}")) {
      const m = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(rest);
      if (!m) throw new Error(`bad label, ${where}`);
      rest = rest.slice(m[0].length);
      let value = "";
      for (;;) {
        const c = rest[0];
        if (c === undefined) throw new Error(`unterminated label value, ${where}`);
        rest = rest.slice(1);
        if (c === '"') break;
        if (c === "\\") {
          const e = rest[0];
          rest = rest.slice(1);
          if (e === "n") value += "\n";
          else if (e === "\\" || e === '"') value += e;
          else throw new Error(`bad escape \\${e}, ${where}`);
        } else value += c;
      }
      if (Object.hasOwn(labels, m[1]!)) throw new Error(`label ${m[1]} twice, ${where}`);
      labels[m[1]!] = value;
      if (rest.startsWith(",")) rest = rest.slice(1);
      else if (!rest.startsWith("}")) throw new Error(`expected , or }, ${where}`);
    }
    rest = rest.slice(1);
  }
  const m = /^ (\S+)(?: (-?\d+))?$/.exec(rest);
  if (!m) throw new Error(`bad value, ${where}`);
  return { name, labels, value: parseValue(m[1]!, where) };
}

/**
 * Values are read as Prometheus reads them, with Go's strconv.ParseFloat: its special values
 * are case-insensitive, and prom-client writes NaN as "Nan".
 */
function parseValue(text: string, where: string): number {
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(text);
  if (special) return special[2]!.toLowerCase() === "nan" ? Number.NaN : special[1] === "-" ? -Infinity : Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new Error(`value ${text} is not a number, ${where}`);
  return Number(text);
}

/** Histogram and summary samples (_bucket, _sum, _count) belong to their family's name. */
function baseName(name: string, families: Map<string, Family>): string {
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length);
      const t = families.get(base)?.type;
      if (t === "histogram" || t === "summary") return base;
    }
  }
  return name;
}

/** The one sample of `name` with exactly these labels (undefined when there is none). */
export function valueOf(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  const f = families.get(name);
  const hits = (f?.samples ?? []).filter((s) => s.name === name && sameLabels(s.labels, labels));
  if (hits.length > 1) throw new Error(`${name}${JSON.stringify(labels)} appears ${hits.length} times`);
  return hits[0]?.value;
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}
