/** ioredis's own Redis Cluster slot function (CRC16 of the hash tag, mod 16384); no types shipped. */
declare module 'cluster-key-slot' {
  function generate(key: string): number;
  namespace generate {
    /** The one slot of all `keys`, or -1 when they span more than one. */
    function generateMulti(keys: string[]): number;
  }
  export = generate;
}
