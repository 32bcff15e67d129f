# The sredb wire format: what `sredb ingest --format capnp` reads and
# `sredb gen --format capnp` writes. A stream is a sequence of packed
# EventBatch messages (capnp::writePackedMessage, one after another).
# Field semantics and ranges are those of DESIGN.md "Data model"; a value out
# of range makes the event a bad record, reported with its message and event
# index. Fields are never renumbered; new ones are added at the end.
@0x97c0fa89c22467cf;

$import "/capnp/c++.capnp".namespace("sredb::wire");

struct Label {
  name @0 :Text;   # [A-Za-z_][A-Za-z0-9_]*, at most 64 bytes
  value @1 :Text;  # non-empty, at most 256 bytes
}

enum Tri {
  unknown @0;  # never evaluated; not the same as false
  false @1;
  true @2;
}

# One finished agent task.
struct TaskEvent {
  time @0 :Int64;          # task end, ns since the Unix epoch, UTC; >= 0
  agent @1 :Text;          # required: the agent that ran the task
  labels @2 :List(Label);  # up to 16 more labels (model, prompt_version, cohort, ...)
  success @3 :Bool;        # did the task succeed
  latencyMs @4 :Float32;   # end-to-end latency in ms; finite, >= 0
  hasTtft @5 :Bool;        # whether ttftMs holds a value (else NULL)
  ttftMs @6 :Float32;      # time to first token in ms; finite, >= 0
  costMicros @7 :Int64;    # cost in micro-USD (1e-6 USD); >= 0
  tokensIn @8 :UInt32;     # prompt tokens
  tokensOut @9 :UInt32;    # completion tokens
  hallucinated @10 :Tri;   # unknown unless the task was evaluated
  policyViolations @11 :UInt16;  # policy violations found in the task
  toolCalls @12 :UInt16;   # tool calls the task made
  toolFailures @13 :UInt16;  # failed tool calls; <= toolCalls
  hasRating @14 :Bool;     # whether userRating holds a value (else NULL)
  userRating @15 :Float32; # user rating, 1..5
  errorKind @16 :Text;     # short error class, empty = none; at most 64 bytes
  traceId @17 :Data;       # empty, or the 16-byte OpenTelemetry trace id
}

# Events appended together; a batch is stored whole or not at all.
struct EventBatch {
  events @0 :List(TaskEvent);
}

# A low-volume typed record on the same time axis as events: signals,
# deployments, breaker transitions, chaos faults, incident lifecycle.
struct Annotation {
  enum Kind {
    signal @0;            # an SLO or detector signal (see `signal`)
    deployment @1;        # a deployment or rollout step
    breakerTransition @2; # a circuit breaker changed state
    chaosFault @3;        # a chaos experiment injected or removed a fault
    incident @4;          # an incident opened, changed or closed
  }
  enum Signal {
    none @0;
    sloBreach @1;
    errorBudgetExhausted @2;
    costAnomaly @3;
    latencySpike @4;
    toolFailureSpike @5;
    policyViolation @6;
    trustRevocation @7;
  }
  time @0 :Int64;          # ns since the Unix epoch, UTC
  kind @1 :Kind;           # what sort of record this is
  signal @2 :Signal;       # for kind = signal: which one; else none
  source @3 :List(Label);  # the label set it concerns, e.g. agent=agent-0042
  value @4 :Float64;       # the observed value (burn rate, z-score, ...)
  threshold @5 :Float64;   # the threshold it crossed, if any
  title @6 :Text;          # one line for humans
  detail @7 :Text;         # free text: from/to states, versions, fault spec
  id @8 :Text;             # identifies the deployment, incident or experiment
}
