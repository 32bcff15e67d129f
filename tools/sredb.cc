// The `sredb` command: parses the command line and dispatches to the
// subcommands in tools/cmd_*.cc.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "storage/annotation.h"
#include "tools/commands.h"

namespace sredb::tools {
namespace {

int NotImplemented(const char* name) {
  std::fprintf(stderr, "sredb %s: not implemented yet\n", name);
  return kExitUsage;
}

int Main(int argc, char** argv) {
  CLI::App app{"sredb: an embedded reliability history store for AI agents"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every subcommand");

  IngestArgs ingest;
  auto* ingest_cmd =
      app.add_subcommand("ingest", "Append events from a file or stdin (creates DB)");
  ingest_cmd->add_option("DB", ingest.db, "Database directory")->required();
  ingest_cmd->add_option("FILE", ingest.file, "Input file, or - for stdin (default)");
  ingest_cmd->add_option("--format", ingest.format,
                         "csv|jsonl|capnp (default: from FILE's extension)");
  ingest_cmd->add_option("--on-error", ingest.on_error, "abort (default) | skip");
  ingest_cmd->add_option("--rejects", ingest.rejects,
                         "With skip: write each bad record here");
  ingest_cmd->add_option("--time-unit", ingest.time_unit,
                         "Unit of integer times: ns (default)|us|ms|s");
  ingest_cmd->add_flag("--sync", ingest.sync, "fsync after every batch");

  GenArgs gen;
  auto* gen_cmd =
      app.add_subcommand("gen", "Write a deterministic synthetic agent fleet to stdout");
  gen_cmd->add_option("--agents", gen.fleet.agents, "Number of agents (default 1000)");
  gen_cmd->add_option("--days", gen.fleet.days, "Days of history (default 90)");
  gen_cmd->add_option("--events", gen.fleet.events,
                      "Exact number of events (default 1000000)");
  gen_cmd->add_option("--seed", gen.fleet.seed, "Random seed (default 42)");
  gen_cmd->add_option("--start", gen.start,
                      "First instant, RFC 3339 (default 2026-01-01T00:00:00Z)");
  gen_cmd->add_option("--format", gen.format, "csv (default) | jsonl | capnp");
  gen_cmd->footer("Injected incidents (default options):\n" +
                  fleet::DescribeIncidents(fleet::FleetOptions()));

  AnnotateArgs annotate;
  auto* annotate_cmd = app.add_subcommand(
      "annotate", "Add an annotation (deploy, rollout step, chaos fault, note...)");
  annotate_cmd->add_option("DB", annotate.db, "Database directory")->required();
  annotate_cmd->add_option("--type", annotate.type, "DEPLOY, ROLLBACK, NOTE, ...")
      ->required();
  annotate_cmd->add_option("--label", annotate.labels,
                           "NAME=VALUE, repeatable (agent=..., model=...)");
  annotate_cmd->add_option("--detail", annotate.detail, "Free text (one line)");
  annotate_cmd->add_option("--time", annotate.time,
                           "RFC 3339 or integer ns (default: now)");
  annotate_cmd->add_option("--value", annotate.value, "A number, e.g. the rollout %");
  annotate_cmd->add_option("--threshold", annotate.threshold, "A number");
  annotate_cmd->add_flag("--sync", annotate.sync, "fsync before returning");
  std::string types;
  for (std::string_view t : kAnnotationTypes)
    types += (types.empty() ? "" : " ") + std::string(t);
  annotate_cmd->footer("Documented types (any [A-Z][A-Z0-9_]* is accepted): " + types);

  std::string db, format = "table", statement;
  auto* stats_cmd = app.add_subcommand("stats", "Summarise a database");
  stats_cmd->add_option("DB", db, "Database directory")->required();
  stats_cmd->add_option("--format", format, "table (default) | json");

  auto* query_cmd = app.add_subcommand("query", "Run one statement");
  query_cmd->add_option("DB", db, "Database directory")->required();
  query_cmd->add_option("STATEMENT", statement, "One statement (QUERY.md)")->required();
  query_cmd->add_option("--format", format, "table (default) | csv | json");
  auto* shell_cmd = app.add_subcommand(
      "shell", "Run statements from stdin, interactively on a terminal (creates DB)");
  shell_cmd->add_option("DB", db, "Database directory")->required();
  auto* check_cmd = app.add_subcommand("check", "Verify every checksum and index entry");
  check_cmd->add_option("DB", db)->required();
  auto* flush_cmd =
      app.add_subcommand("flush", "Seal every partition that can be sealed, now");
  flush_cmd->add_option("DB", db)->required();
  auto* slo_cmd = app.add_subcommand("slo", "SLO definitions");
  slo_cmd->allow_extras();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  if (*ingest_cmd) return RunIngest(ingest);
  if (*gen_cmd) return RunGen(gen);
  if (*annotate_cmd) return RunAnnotate(annotate);
  if (*stats_cmd) return RunStats(db, format);
  if (*query_cmd) return RunQuery(db, statement, format);
  if (*shell_cmd) return RunShell(db);
  if (*check_cmd) return RunCheck(db);
  if (*flush_cmd) return RunFlush(db);
  if (*slo_cmd) return NotImplemented("slo");
  return kExitUsage;
}

}  // namespace
}  // namespace sredb::tools

int main(int argc, char** argv) {
  // A closed pipe (`sredb gen | head`) is an I/O error to report, not a signal.
  std::signal(SIGPIPE, SIG_IGN);
  return sredb::tools::Main(argc, argv);
}
