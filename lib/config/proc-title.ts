// proc-title-template as Redis 7.0 reads and expands it: text with {variable}s, the variables
// below; the title is trimmed (an empty {server-mode} leaves no trailing space).

const VARIABLES = ['title', 'listen-addr', 'server-mode', 'port', 'tls-port', 'unixsocket', 'config-file'] as const;

const TEMPLATE_ERROR = 'template format is invalid or contains unknown variables';

function expand(template: string, vars: Record<string, string>): string | null {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === '}') return null;
    if (c !== '{') {
      out += c;
      continue;
    }
    const end = template.indexOf('}', i + 1);
    if (end < 0) return null;
    const name = template.slice(i + 1, end);
    if (!(name in vars)) return null;
    out += vars[name];
    i = end;
  }
  return out.trim();
}

export function validateProcTitleTemplate(v: string): string | null {
  return expand(v, Object.fromEntries(VARIABLES.map((n) => [n, '']))) === null ? TEMPLATE_ERROR : null;
}

export interface ProcTitleVars {
  title: string;
  listenAddr: string;
  port: number;
  configFile: string | null;
}

/** The process title for a (valid) template. */
export function procTitle(template: string, v: ProcTitleVars): string {
  const vars: Record<string, string> = {
    title: v.title,
    'listen-addr': v.listenAddr,
    'server-mode': '',
    port: String(v.port),
    'tls-port': '0',
    unixsocket: '',
    'config-file': v.configFile ?? '',
  };
  return expand(template, vars) ?? v.title;
}
