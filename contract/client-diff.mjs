// Drives Mattermost's official TypeScript client (@mattermost/client, the Client4 class the
// web app itself uses) through a list of calls, for tests/contract_client.rs, which runs the
// same operations through the crate against the same capturing server and compares what
// arrived.
//
// usage: MM_TOKEN=... node contract/client-diff.mjs BASE_URL < calls.json
//   calls.json: [{"label": "get-status", "call": "getStatus", "args": ["..."]}, ...]
// Each call is sent with the header X-Contract-Case: <label>, so the server can tell the
// calls apart. Prints one line of JSON: [{"label", "ok", "error"?}, ...]. Exit status 2 on
// a usage error; a failing call is reported in the output, not by the exit status.
import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';

const require = createRequire(import.meta.url);
const {Client4} = require('@mattermost/client');
const {version} = require('@mattermost/client/package.json');

const [baseUrl] = process.argv.slice(2);
const token = process.env.MM_TOKEN;
if (!baseUrl || !token) {
    process.stderr.write('usage: MM_TOKEN=... node client-diff.mjs BASE_URL < calls.json\n');
    process.exit(2);
}
const calls = JSON.parse(readFileSync(0, 'utf8'));

const client = new Client4();
client.setUrl(baseUrl);
client.setToken(token);

const results = [];
for (const {label, call, args} of calls) {
    if (typeof client[call] !== 'function') {
        results.push({label, ok: false, error: `Client4 ${version} has no method ${call}`});
        continue;
    }
    client.setHeader('X-Contract-Case', label);
    try {
        await client[call](...args);
        results.push({label, ok: true});
    } catch (e) {
        results.push({label, ok: false, error: String(e?.message ?? e)});
    }
}
process.stdout.write(JSON.stringify({client_version: version, results}) + '\n');
