// The listing actions of the CLI: `-G fields` (tshark's field listing) and `completion bash`.

import type { Registry } from './decode/registry.js';
import { ADDRESS_ALIASES, FRAME_FIELDS } from './filter/display-filter.js';
import { FORMATS, SUMMARIES, TIMESTAMP_STYLES, COLOR_MODES, FAIL_ON, WRITE_FORMATS, USAGE } from './options.js';

/**
 * `-G fields`: one line per field, tab-separated as tshark's -G fields: `F`, label, id, type,
 * protocol. Protocols first as `P` lines (name, id), as tshark does.
 */
export function renderFieldList(registry: Registry): string {
  let s = '';
  for (const p of registry.allProtocols()) s += `P\t${p.name}\t${p.id}\n`;
  for (const f of FRAME_FIELDS) s += `F\t${f.label}\t${f.id}\t${f.kind}\tframe\n`;
  for (const [alias, of] of Object.entries(ADDRESS_ALIASES)) {
    s += `F\tSource or Destination Address\t${alias}\t${registry.field(of[0]!)?.kind ?? 'address'}\t${alias.slice(0, alias.indexOf('.'))}\n`;
  }
  for (const p of registry.allProtocols()) {
    for (const f of p.fields) s += `F\t${f.label}\t${f.id}\t${f.kind}\t${p.id}\n`;
  }
  return s;
}

/** Every option spelled in --help (long and short), for the completion script. */
export function optionWords(): string[] {
  const words = new Set<string>();
  for (const m of USAGE.matchAll(/(?<=^|[\s,|])(--?[A-Za-z][A-Za-z-]*)/gm)) words.add(m[1]!);
  return [...words].sort();
}

/** `carpdump completion bash`: a completion script; source it, or put it in bash-completion's dir. */
export function bashCompletion(): string {
  const values: Record<string, readonly string[]> = {
    '-T': FORMATS, '--format': FORMATS, '-t': TIMESTAMP_STYLES, '--color': COLOR_MODES,
    '--fail-on': FAIL_ON.filter((f) => f !== 'chat'), '-z': SUMMARIES, '-F': WRITE_FORMATS,
    '--decode-as': ['carp', 'vrrp'], '-G': ['fields'],
  };
  const cases = Object.entries(values).map(([o, v]) => `    ${o}) COMPREPLY=($(compgen -W "${v.join(' ')}" -- "$cur")); return ;;`).join('\n');
  return `# bash completion for carpdump (carpdump completion bash > /etc/bash_completion.d/carpdump)
_carpdump() {
  local cur prev
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
${cases}
    -r|--read|-w|--write|--carp-pass-file|--wordlist) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    -i|--interface) COMPREPLY=($(compgen -W "$(ls /sys/class/net 2>/dev/null)" -- "$cur")); return ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "${optionWords().join(' ')}" -- "$cur"))
  elif [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W "completion" -- "$cur"))
  fi
}
complete -o default -F _carpdump carpdump
`;
}
