import data from './data.json' with { type: 'json' };
export const helper = `helper:${data.name}`;
export const meta = import.meta.url;
