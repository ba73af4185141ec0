export * from './presentation';
export * from './run-mpd';
