/** One line of a go/no-go list: what was checked, what was found, and what to do if it failed. */
export interface Check {
  readonly name: string;
  /** `go`: fine; `no-go`: must be fixed first; `note`: worth knowing, does not stop anything. */
  readonly status: 'go' | 'no-go' | 'note';
  readonly found: string;
  /** What a person does about it; required for `no-go`. */
  readonly todo?: string;
}

const MARK = { go: '✔', 'no-go': '✘', note: 'ℹ' } as const;

/** The checklist as text: one line per check, the fix indented under a failure, and a verdict. */
export function formatChecklist(title: string, checks: readonly Check[]): string {
  const lines = [title, ''];
  for (const check of checks) {
    lines.push(`${MARK[check.status]} ${check.name}: ${check.found}`);
    if (check.todo) lines.push(`    → ${check.todo}`);
  }
  const failed = checks.filter((c) => c.status === 'no-go').length;
  lines.push(
    '',
    failed === 0
      ? 'GO: nothing stops you.'
      : `NO-GO: ${failed} check(s) failed; fix them and run this again.`,
  );
  return lines.join('\n');
}

/** Exit status of a checklist: 0 when nothing failed, 1 otherwise. */
export function checklistStatus(checks: readonly Check[]): number {
  return checks.some((c) => c.status === 'no-go') ? 1 : 0;
}
