import type { Tracer } from "@aws-lambda-powertools/tracer";

/** Ends a job's subsegment, with the error it failed with. */
export type EndJobSpan = (error?: unknown) => void;

export interface JobSpan {
  readonly jobType: string;
  readonly jobId: string;
  readonly correlationId: string;
  readonly attempt: number;
}

/**
 * One X-Ray subsegment per job under the function's segment, annotated (indexed, so traces can be searched by
 * job) with its type, id, correlation id and attempt. Powertools Tracer and the X-Ray SDK are loaded on the
 * first invocation, and only in a registry that traces.
 */
export async function createJobTracing(serviceName: string): Promise<(span: JobSpan) => EndJobSpan> {
  const { Tracer } = await import("@aws-lambda-powertools/tracer");
  const tracer: Tracer = new Tracer({ serviceName });
  return (span) => {
    const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
    const subsegment = parent?.addNewSubsegment(`## ${span.jobType}`);
    if (!subsegment) return () => {};
    subsegment.addAnnotation("jobType", span.jobType);
    subsegment.addAnnotation("jobId", span.jobId);
    subsegment.addAnnotation("correlationId", span.correlationId);
    subsegment.addAnnotation("attempt", span.attempt);
    return (error) => {
      if (error instanceof Error) subsegment.addError(error);
      subsegment.close();
    };
  };
}
