// Generated sections of Markdown files, between <!-- NAME:start --> and <!-- NAME:end -->.

export function replaceGeneratedSection(text: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`no generated section ${name} (${start} ... ${end})`);
  return `${text.slice(0, from + start.length)}\n${content.trimEnd()}\n${text.slice(to)}`;
}
