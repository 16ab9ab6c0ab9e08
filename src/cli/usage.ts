/** One command's help: how it is called, what it does, and each option. The README's CLI section shows the same text. */
interface CommandHelp {
  /** The call, wrapped to fit a terminal; continuation lines are indented under the first. */
  readonly synopsis: readonly string[];
  readonly summary: string;
  readonly options: ReadonlyArray<readonly [flag: string, meaning: string]>;
}

const USER_HELP = 'a user id, or a user name (add --org if several organizations have that name)';
const COMMON: ReadonlyArray<readonly [string, string]> = [
  ['--config <file>', 'settings as JSON (also KEYGATE_CONFIG)'],
  ['-h, --help', 'show this help'],
];

/** Every command, in the order `keygate --help` lists them. */
export const COMMAND_HELP: Readonly<Record<string, CommandHelp>> = {
  serve: {
    synopsis: ['serve [--demo] [--port N] [--host H]'],
    summary: 'Starts a Keygate node (migrating the database first) and prints its URLs.',
    options: [
      ['--demo', 'create the demo organization, users and key on first start, and publish live demo data (npm start)'],
      ['--port N', 'port to listen on; 0 picks a free one (also KEYGATE_PORT, PORT; default 8080)'],
      ['--host H', 'address to listen on (also KEYGATE_HOST; default 127.0.0.1)'],
    ],
  },
  migrate: {
    synopsis: ['migrate'],
    summary: 'Brings the database schema up to date (serve does it too) and prints {"migrated":true,...}.',
    options: [],
  },
  'org create': {
    synopsis: ['org create <name> [--revoke-policy admins|owner_or_admin]'],
    summary: 'Creates an organization.',
    options: [['--revoke-policy P', 'who may revoke keys: admins (default) or owner_or_admin']],
  },
  'user create': {
    synopsis: [
      'user create --org <org> --name <name> [--role admin|member] [--usage-level basic|advanced|premier|market_maker]',
      '            [--tier basic|premium|enterprise] [--wallet 0x…]...',
    ],
    summary: 'Creates a user in an organization.',
    options: [
      ['--org <org>', 'the organization: its id or name'],
      ['--name <name>', 'the user name, unique within the organization'],
      ['--role R', 'admin or member (default member)'],
      ['--usage-level L', 'basic (default), advanced, premier or market_maker; spec 004 RSA keys need premier or market_maker'],
      ['--tier T', 'basic, premium or enterprise; the default tier of the user\'s keys (default keys.defaultTier)'],
      ['--wallet 0x…', 'a wallet address the user owns; repeat for more'],
    ],
  },
  'token create': {
    synopsis: ['token create --user <user> [--org <org>] [--name <label>] [--ttl-days N | --no-expiry]'],
    summary: 'Creates a management token (kgm_…) for the API and the console and prints it once.',
    options: [
      ['--user <user>', USER_HELP],
      ['--org <org>', 'the organization to find the user name in'],
      ['--name <label>', 'a label for the token (default "cli token")'],
      ['--ttl-days N', 'expire the token after N days (default tokens.defaultTtlDays, 90)'],
      ['--no-expiry', 'a token that never expires (revoke it when it is no longer needed)'],
    ],
  },
  'token list': {
    synopsis: ['token list (--user <user> | --org <org>)'],
    summary: 'Lists management tokens, newest first (id, name, tail, status, expiry; never the token itself).',
    options: [
      ['--user <user>', `one user's tokens: ${USER_HELP}`],
      ['--org <org>', 'the organization (alone: every token of the organization)'],
    ],
  },
  'token revoke': {
    synopsis: ['token revoke <token id>'],
    summary: 'Revokes a management token now; console sessions opened with it end too.',
    options: [],
  },
  'keys create': {
    synopsis: [
      'keys create --user <user> [--org <org>] --name <name> [--permission p]... [--ip cidr|any]... [--exchange x]...',
      '            [--tier basic|premium|enterprise] [--max-connections N] [--requests-per-minute N] [--expires-in-days N]',
    ],
    summary: 'Creates an opaque API key (dsk_…) owned by the user and prints it once.',
    options: [
      ['--user <user>', USER_HELP],
      ['--org <org>', 'the organization to find the user name in'],
      ['--name <name>', 'the key\'s name'],
      ['--permission p', 'grant a permission; repeat for more (default read; --permission none grants none)'],
      ['--ip cidr', 'allow only this address or range; repeat for more (default, or --ip any: any address)'],
      ['--exchange x', 'allow only this exchange; repeat for more (default every exchange)'],
      ['--tier T', 'basic, premium or enterprise (default the owner\'s tier)'],
      ['--max-connections N', 'live connections the key may hold (default the tier\'s limit)'],
      ['--requests-per-minute N', 'verified requests per minute for this key, overriding the tier\'s (admins; default the tier\'s limit)'],
      ['--expires-in-days N', 'expire the key after N days (default never)'],
    ],
  },
  'keys list': {
    synopsis: ['keys list (--user <user> | --org <org>) [--name text] [--tail chars]'],
    summary: 'Lists keys, newest first: a member\'s own keys, or every key of the organization (acting as its first admin).',
    options: [
      ['--user <user>', `act as this user: ${USER_HELP}`],
      ['--org <org>', 'the organization (alone: act as its first admin)'],
      ['--name text', 'only keys whose name contains the text'],
      ['--tail chars', 'only keys ending in these characters'],
    ],
  },
  'keys update': {
    synopsis: [
      'keys update <key id> [--org <org>] [--user <user>] [--name <name>] [--permission p]... [--ip cidr|any]... [--exchange x]...',
      '            [--tier basic|premium|enterprise] [--max-connections N] [--requests-per-minute N|tier]',
    ],
    summary: 'Changes a key: each list flag given replaces that whole list; flags left out stay as they are.',
    options: [
      ['--org <org>', 'the key\'s organization (default: found from the key)'],
      ['--user <admin>', 'act as this user (default the organization\'s first admin); --tier, --max-connections and --requests-per-minute need an admin'],
      ['--name <name>', 'the key\'s new name'],
      ['--permission p', 'the permissions, replacing the key\'s; repeat for more; --permission none removes them all'],
      ['--ip cidr', 'the addresses or ranges allowed, replacing the key\'s; repeat for more; --ip any lifts the restriction'],
      ['--exchange x', 'the exchanges allowed, replacing the key\'s; repeat for more; --exchange \'*\' allows every exchange'],
      ['--tier T', 'basic, premium or enterprise (admins)'],
      ['--max-connections N', 'live connections the key may hold, 1 to 100000, for new connections (admins)'],
      ['--requests-per-minute N|tier', 'verified requests per minute for this key; tier hands it back to its tier\'s limit (admins)'],
    ],
  },
  'keys revoke': {
    synopsis: ['keys revoke <key id> [--org <org>] [--user <admin>]'],
    summary: 'Revokes a key now; every session using it ends.',
    options: [
      ['--org <org>', 'the key\'s organization (default: found from the key)'],
      ['--user <admin>', 'act as this admin (default the organization\'s first admin)'],
    ],
  },
  'keys suspend': {
    synopsis: ['keys suspend <key id> [--org <org>] [--user <admin>]'],
    summary: 'Suspends a key: it is refused (403 DISABLED) and every session using it ends, until keys resume.',
    options: [
      ['--org <org>', 'the key\'s organization (default: found from the key)'],
      ['--user <admin>', 'act as this admin (default the organization\'s first admin)'],
    ],
  },
  'keys resume': {
    synopsis: ['keys resume <key id> [--org <org>] [--user <admin>]'],
    summary: 'Resumes a suspended key: it verifies again.',
    options: [
      ['--org <org>', 'the key\'s organization (default: found from the key)'],
      ['--user <admin>', 'act as this admin (default the organization\'s first admin)'],
    ],
  },
};

/** What `keygate --help` prints. */
export const USAGE = [
  'usage: keygate <command> [options]',
  '',
  ...Object.values(COMMAND_HELP).flatMap((help) => help.synopsis.map((line) => `  ${line}`)),
  '',
  'Every command takes --config <file> and --help (keygate keys create --help).',
  '<user> is a user id or name; a name needs --org only when several organizations have a user of that name.',
  'Settings come from environment variables (DATABASE_URL, REDIS_URL, KEYGATE_*) and an optional JSON file (--config or KEYGATE_CONFIG).',
].join('\n');

/** What `keygate <command> --help` prints. */
export function commandUsage(command: string): string {
  const help = COMMAND_HELP[command];
  const options = [...help.options, ...COMMON];
  const width = Math.max(...options.map(([flag]) => flag.length)) + 2;
  return [
    `usage: keygate ${help.synopsis[0]}`,
    ...help.synopsis.slice(1).map((line) => `               ${line}`),
    '',
    help.summary,
    '',
    ...options.map(([flag, meaning]) => `  ${flag.padEnd(width)}${meaning}`),
  ].join('\n');
}

/** What `keygate keys --help` prints: the commands of that group. */
export function groupUsage(group: string): string | null {
  const names = Object.keys(COMMAND_HELP).filter((name) => name.startsWith(`${group} `));
  if (names.length === 0) return null;
  return ['usage:', ...names.flatMap((name) => COMMAND_HELP[name].synopsis.map((line, i) => `${i === 0 ? '  keygate ' : '          '}${line}`)), '', `keygate ${group} <command> --help explains one.`].join('\n');
}
