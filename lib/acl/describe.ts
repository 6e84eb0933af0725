// A selector's rules written back as text (ACL LIST, ACL GETUSER, ACL SAVE), in Redis 7.0's
// normal form: "+@all" or "-@all", then the categories that fit the allowed commands best, tried
// in ACL CAT's order, then single commands and subcommands for what the categories left
// different. Re-applying the text gives the same permissions (checked below: a mismatch is a bug
// that would change what a saved user may do, so it throws rather than write it).

import { CATEGORIES, categoryTable } from './categories.js';
import { clientNameOf } from '../commands/registry.js';
import { Selector, READ, WRITE } from './selector.js';

export function describeCommands(sel: Selector): string {
  const additive = !sel.future;
  const rules: string[] = [additive ? '-@all' : '+@all'];
  const fake = new Selector(false);
  fake.setAll(!additive);
  const temp = new Selector(false);
  temp.bits = sel.bits.slice();
  const { members, top } = categoryTable();
  const applied = new Uint8Array(CATEGORIES.length);
  for (;;) {
    let best = -1;
    let minDiff = Number.MAX_SAFE_INTEGER;
    let maxSame = 0;
    for (let j = 0; j < CATEGORIES.length; j++) {
      if (applied[j]) continue;
      let on = 0;
      let off = 0;
      for (const d of members[j]) {
        if (temp.bits[d.index!] === 1) on++;
        else off++;
      }
      const diff = additive ? off : on;
      const same = additive ? on : off;
      if (same > diff && (diff < minDiff || (diff === minDiff && same > maxSame))) {
        best = j;
        minDiff = diff;
        maxSame = same;
      }
    }
    if (best < 0) break;
    fake.changeCategory(best, additive);
    temp.changeCategory(best, !additive);
    rules.push((additive ? '+@' : '-@') + CATEGORIES[best]);
    applied[best] = 1;
  }
  for (const d of top) {
    const i = d.index!;
    if (sel.bits[i] !== fake.bits[i]) {
      rules.push((sel.bits[i] === 1 ? '+' : '-') + clientNameOf(d));
      fake.changePerm(d, sel.bits[i] === 1);
    }
    if (d.sub) {
      for (const s of d.sub.values()) {
        const k = s.index!;
        if (sel.bits[k] !== fake.bits[k]) {
          rules.push((sel.bits[k] === 1 ? '+' : '-') + clientNameOf(s));
          fake.changePerm(s, sel.bits[k] === 1);
        }
      }
    }
    const firstArgs = sel.firstArgs.get(i);
    if (firstArgs !== undefined) for (const a of firstArgs) rules.push(`+${clientNameOf(d)}|${a}`);
  }
  for (const d of top) {
    const same = sel.bits[d.index!] === fake.bits[d.index!] && (!d.sub || [...d.sub.values()].every((x) => sel.bits[x.index!] === fake.bits[x.index!]));
    if (!same) throw new Error('ACL rules do not describe the permissions they were made from');
  }
  return rules.join(' ');
}

/** "~*", or the patterns: "~p" read and write, "%R~p" read only, "%W~p" write only. */
export function describeKeys(sel: Selector): string {
  if (sel.allKeys) return '~*';
  return sel.keys.map((k) => (k.flags === (READ | WRITE) ? '~' : k.flags === READ ? '%R~' : '%W~') + k.pattern).join(' ');
}

/** "&*", or the patterns ("" for none). */
export function describeChannels(sel: Selector): string {
  if (sel.allChannels) return '&*';
  return sel.channels.map((c) => '&' + c).join(' ');
}

/** The whole selector as ACL LIST writes it: keys, channels, commands. */
export function describeSelector(sel: Selector): string {
  const parts: string[] = [];
  const keys = describeKeys(sel);
  if (keys !== '') parts.push(keys);
  parts.push(sel.allChannels ? '&*' : ['resetchannels', ...sel.channels.map((c) => '&' + c)].join(' '));
  parts.push(describeCommands(sel));
  return parts.join(' ');
}
