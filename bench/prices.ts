/**
 * Published on-demand list prices, us-east-1, in US dollars: the one table the cost bench prices with.
 * Free tiers and volume discounts are left out (they favour small volumes and every topology alike).
 * Change a figure here, with the date, when AWS publishes another.
 */
export const PRICES = {
  date: '2026-12-06',
  region: 'us-east-1',
  sources: [
    'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    'https://aws.amazon.com/sqs/pricing/',
    'https://aws.amazon.com/eventbridge/pricing/',
    'https://aws.amazon.com/lambda/pricing/',
    'https://aws.amazon.com/step-functions/pricing/',
    'https://aws.amazon.com/api-gateway/pricing/',
  ],
  /** Per million write request units (1 KB each; on-demand since the November 2024 price cut). */
  dynamodbWriteRequestUnit: 0.625,
  /** Per million read request units (4 KB strongly consistent, or two eventually consistent reads). */
  dynamodbReadRequestUnit: 0.125,
  /** Per million DynamoDB Streams read request units (GetRecords); the pipes read the stream. */
  dynamodbStreamsReadRequestUnit: 0.2,
  /** Per million SQS standard requests, each 64 KB chunk of a payload a request. */
  sqsRequest: 0.4,
  /** Per million custom events put on an event bus, each 64 KB chunk an event. */
  eventBridgeEvent: 1.0,
  /** Per million EventBridge Pipes requests after filtering, each 64 KB chunk a request. */
  pipesRequest: 0.4,
  /** Per million Lambda invocations. */
  lambdaRequest: 0.2,
  /** Per GB-second of Lambda duration (x86). */
  lambdaGbSecond: 0.0000166667,
  /** Per million Step Functions Express requests (executions started). */
  stepFunctionsExpressRequest: 1.0,
  /** Per GB-second of Express duration (first 1 000 hours a month), billed in 64 MB and 100 ms steps. */
  stepFunctionsExpressGbSecond: 0.00001667,
  /** Per million HTTP API requests (first 300 million a month), each 512 KB chunk a request. */
  httpApiRequest: 1.0,
} as const;
