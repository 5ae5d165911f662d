/**
 * The part of the official `twitter-text` library (https://github.com/twitter/twitter-text,
 * npm twitter-text 3.x, no bundled types) that src/providers/x-text.ts and the X sandbox use.
 */
declare module 'twitter-text' {
  export interface TwitterTextConfig {
    version: number;
    maxWeightedTweetLength: number;
    scale: number;
    defaultWeight: number;
    emojiParsingEnabled?: boolean;
    transformedURLLength: number;
    ranges: { start: number; end: number; weight: number }[];
  }
  export interface ParsedTweet {
    weightedLength: number;
    valid: boolean;
    permillage: number;
    validRangeStart: number;
    validRangeEnd: number;
    displayRangeStart: number;
    displayRangeEnd: number;
  }
  export interface UrlWithIndices {
    url: string;
    /** UTF-16 offsets [start, end) in the text given. */
    indices: [number, number];
  }
  const twitterText: {
    parseTweet(text: string, config?: TwitterTextConfig): ParsedTweet;
    extractUrlsWithIndices(text: string, options?: { extractUrlsWithoutProtocol?: boolean }): UrlWithIndices[];
    configs: { defaults: TwitterTextConfig };
  };
  export default twitterText;
}
