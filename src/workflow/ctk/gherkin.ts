// A small Gherkin reader for the conformance kit's .feature files: features, scenarios, steps
// (Given/When/Then/And/But) and their """ doc strings. Enough for the ctk, not general Gherkin
// (no Background, Examples, tables or tags).

export interface Step {
  keyword: string;
  text: string;
  docString?: string;
  line: number;
}

export interface Scenario {
  name: string;
  line: number;
  steps: Step[];
}

export interface Feature {
  name: string;
  scenarios: Scenario[];
}

const STEP = /^(Given|When|Then|And|But)\s+(.*)$/;

export function parseFeature(text: string): Feature {
  const lines = text.split(/\r?\n/);
  const feature: Feature = { name: '', scenarios: [] };
  let scenario: Scenario | undefined;
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i].trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const head = /^(Feature|Scenario):\s*(.*)$/.exec(trimmed);
    if (head) {
      if (head[1] === 'Feature') feature.name = head[2].trim();
      else {
        scenario = { name: head[2].trim(), line: i + 1, steps: [] };
        feature.scenarios.push(scenario);
      }
      continue;
    }
    const step = STEP.exec(trimmed);
    if (step && scenario) {
      scenario.steps.push({ keyword: step[1], text: step[2].trim(), line: i + 1 });
      continue;
    }
    if (trimmed.startsWith('"""')) {
      const indent = lines[i].indexOf('"""');
      const body: string[] = [];
      let j = i + 1;
      for (; j < lines.length && !lines[j].trim().startsWith('"""'); j++) {
        const l = lines[j];
        body.push(l.slice(0, indent).trim() === '' ? l.slice(indent) : l.trimStart());
      }
      const last = scenario?.steps[scenario.steps.length - 1];
      if (last) last.docString = body.join('\n');
      i = j;
    }
    // other lines (the feature's description) are prose
  }
  return feature;
}
