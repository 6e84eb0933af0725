// COMMAND DOCS replies compared between servers on what respdb documents.
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
