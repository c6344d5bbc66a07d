/** The default plugin id, as option errors name it (a configured plugin's id is its channel). */
export const PLUGIN = 'webhook';
