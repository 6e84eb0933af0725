// INFO replies parsed by section: titles in order, and per section its field names in order and
// its values.

import { replyString } from './reply-format.js';
import type { RawClient } from './resp-client.js';

export interface InfoSection {
  title: string;
  names: string[];
  values: Map<string, string>;
}

export interface Info {
  sections: InfoSection[];
  titles: string[];
  /** every field of every section */
  f: Map<string, string>;
  section(title: string): InfoSection | undefined;
}

export function parseInfo(text: string): Info {
  const sections: InfoSection[] = [];
  const f = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    if (line.startsWith('# ')) sections.push({ title: line.slice(2), names: [], values: new Map() });
    else if (line.includes(':') && sections.length > 0) {
      const s = sections[sections.length - 1];
      const name = line.slice(0, line.indexOf(':'));
      const value = line.slice(line.indexOf(':') + 1);
      s.names.push(name);
      s.values.set(name, value);
      f.set(name, value);
    }
  }
  return { sections, titles: sections.map((s) => s.title), f, section: (title) => sections.find((s) => s.title === title) };
}

export async function getInfo(c: RawClient, ...sections: string[]): Promise<Info> {
  return parseInfo(replyString(await c.send('INFO', ...sections)));
}

export function num(m: Map<string, string>, k: string): number {
  const v = m.get(k);
  if (v === undefined || !/^-?\d+(\.\d+)?$/.test(v)) throw new Error(`INFO field ${k} is ${v}`);
  return Number(v);
}

/** "a=1,b=x" -> { a: '1', b: 'x' } */
export function subFields(v: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (v ?? '').split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}
