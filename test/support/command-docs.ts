// COMMAND DOCS / COMMAND INFO replies compared between servers on what respdb documents.
import { formatReply, type Reply } from './resp-client.js';

/** COMMAND DOCS reduced to what respdb documents (summary, since, group, complexity, subcommands). */
export function docFields(r: Reply): Reply {
  const keep = new Set(['summary', 'since', 'group', 'complexity', 'subcommands']);
  const pairs = (x: Reply): [Reply, Reply][] => {
    if (x.t === 'map') return x.v;
    if (x.t === 'array' && x.v) {
      const out: [Reply, Reply][] = [];
      for (let i = 0; i < x.v.length; i += 2) out.push([x.v[i], x.v[i + 1]]);
      return out;
    }
    throw new Error('not a map: ' + formatReply(x));
  };
  const name = (x: Reply) => (x.t === 'bulk' && x.v ? x.v.toString() : '');
  const doc = (x: Reply): Reply => ({
    t: 'map',
    v: pairs(x)
      .filter(([k]) => keep.has(name(k)))
      .map(([k, val]): [Reply, Reply] => [k, name(k) === 'subcommands' ? top(val) : val]),
  });
  const top = (x: Reply): Reply => ({ t: 'map', v: pairs(x).map(([k, val]): [Reply, Reply] => [k, doc(val)]) });
  return top(r);
}

/** A bulk or verbatim reply's text (other replies formatted). */
export const replyText = (r: Reply): string => (r.t === 'verbatim' ? r.v : r.t === 'bulk' && r.v ? r.v.toString('latin1') : formatReply(r));

/**
 * COMMAND INFO of one command with its subcommands in name order (Redis lists a container's
 * subcommands in its dict's hash order, which changes with every process).
 */
export function infoSorted(r: Reply): string {
  if (r.t !== 'array' || !r.v || r.v.length !== 1) return formatReply(r);
  const e = r.v[0];
  if (e.t !== 'array' || !e.v || e.v.length !== 10) return formatReply(r);
  const subs = e.v[9];
  const sorted: Reply =
    (subs.t === 'array' || subs.t === 'set') && subs.v ? { ...subs, v: [...subs.v].sort((a, b) => (formatReply(a) < formatReply(b) ? -1 : 1)) } : subs;
  return formatReply({ t: 'array', v: [{ t: 'array', v: [...e.v.slice(0, 9), sorted] }] });
}
