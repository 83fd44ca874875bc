// Test-only: prints, as JSON, every feature of an HTML file that a mail client does not
// support at all, according to caniemail's data. Usage: node check.mjs FILE.html
import { readFileSync } from 'node:fs';
import { caniemail } from 'caniemail';

const CLIENTS = ['gmail.*', 'outlook.*', 'apple-mail.*', 'yahoo.*'];
const html = readFileSync(process.argv[2], 'utf8');
const result = caniemail({ clients: CLIENTS, html });
const entries = (found) => (found instanceof Map ? [...found.entries()] : Object.entries(found ?? {}));
const unsupported = [];
for (const [client, issues] of entries(result.issues.errors)) {
  for (const issue of issues) {
    unsupported.push({ client, feature: issue.title, notes: issue.notes ?? [] });
  }
}
console.log(JSON.stringify(unsupported));
