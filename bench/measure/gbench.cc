// SPDX-License-Identifier: GPL-2.0
// The C API of bench/measure/gbench.h, on Google Benchmark's C++ API.
#include <benchmark/benchmark.h>

#include <cerrno>
#include <unistd.h>
#include <string>
#include <vector>

#include "bench/measure/gbench.h"

struct fl_gb_state {
	benchmark::State st;
};

static benchmark::State &S(struct fl_gb_state *s)
{
	return *reinterpret_cast<benchmark::State *>(s);
}

extern "C" int fl_gb_register(const char *name, fl_gb_fn fn, void *arg,
			      const struct fl_gb_opts *o)
{
	auto *b = benchmark::RegisterBenchmark(name, [fn, arg](benchmark::State &st) {
		fn(reinterpret_cast<struct fl_gb_state *>(&st), arg);
	});
	if (!b)
		return -EINVAL;
	if (o->iterations > 0)
		b->Iterations(o->iterations);
	if (o->repetitions > 0)
		b->Repetitions(o->repetitions);
	if (o->min_warmup_time > 0)
		b->MinWarmUpTime(o->min_warmup_time);
	if (o->manual_time)
		b->UseManualTime();
	else
		b->UseRealTime();
	// cpu_time: every thread of the process, the workers' too, not the
	// main thread's alone (which mostly waits for them)
	b->MeasureProcessCPUTime();
	b->Unit(benchmark::kMicrosecond);
	return 0;
}

extern "C" void fl_gb_clear(void)
{
	benchmark::ClearRegisteredBenchmarks();
}

extern "C" bool fl_gb_keep_running(struct fl_gb_state *st)
{
	return S(st).KeepRunning();
}

extern "C" void fl_gb_pause(struct fl_gb_state *st)
{
	S(st).PauseTiming();
}

extern "C" void fl_gb_resume(struct fl_gb_state *st)
{
	S(st).ResumeTiming();
}

extern "C" void fl_gb_set_iteration_time(struct fl_gb_state *st, double seconds)
{
	S(st).SetIterationTime(seconds);
}

extern "C" void fl_gb_skip_with_error(struct fl_gb_state *st, const char *msg)
{
	S(st).SkipWithError(msg);
}

extern "C" bool fl_gb_error_occurred(struct fl_gb_state *st)
{
	return S(st).error_occurred();
}

extern "C" void fl_gb_set_counter(struct fl_gb_state *st, const char *name,
				  double value, enum fl_gb_counter kind)
{
	auto flags = kind == FL_GB_AS_IS ? benchmark::Counter::kDefaults
					 : benchmark::Counter::kAvgIterations;

	S(st).counters[name] = benchmark::Counter(value, flags);
}

namespace {

// Shows Google Benchmark's own console table (when asked) and hands every
// run, repetitions and aggregates alike, to the C callback.
class CReporter : public benchmark::ConsoleReporter {
public:
	// Colour only on a terminal, as Google Benchmark's own default does.
	CReporter(fl_gb_report_fn fn, void *arg, bool table)
		: ConsoleReporter(isatty(STDOUT_FILENO) ? OO_ColorTabular : OO_Tabular),
		  fn_(fn), arg_(arg), table_(table) {}

	bool ReportContext(const Context &ctx) override
	{
		return table_ ? ConsoleReporter::ReportContext(ctx) : true;
	}

	void ReportRuns(const std::vector<Run> &runs) override
	{
		for (const Run &r : runs)
			hand_over(r);
		if (table_)
			ConsoleReporter::ReportRuns(runs);
	}

private:
	void hand_over(const Run &r)
	{
		std::string name = r.run_name.str();
		std::vector<const char *> names;
		std::vector<double> values;
		struct fl_gb_run c = {};

		for (const auto &kv : r.counters) {
			names.push_back(kv.first.c_str());
			values.push_back(kv.second.value);
		}
		c.name = name.c_str();
		c.aggregate = r.run_type == Run::RT_Aggregate;
		c.aggregate_name = r.aggregate_name.c_str();
		c.repetition = (int)r.repetition_index;
		c.error = r.error_occurred;
		c.error_message = r.error_message.c_str();
		c.iterations = (long)r.iterations;
		c.real_seconds = r.real_accumulated_time;
		c.cpu_seconds = r.cpu_accumulated_time;
		c.ncounters = names.size();
		c.counter_names = names.data();
		c.counter_values = values.data();
		fn_(&c, arg_);
	}

	fl_gb_report_fn fn_;
	void *arg_;
	bool table_;
};

} // namespace

extern "C" int fl_gb_run_all(const struct fl_gb_run_opts *o, fl_gb_report_fn fn,
			     void *arg)
{
	std::vector<std::string> args = { "faultline" };
	std::vector<char *> argv;
	int argc;

	if (o->json_path) {
		args.push_back(std::string("--benchmark_out=") + o->json_path);
		args.push_back("--benchmark_out_format=json");
	}
	args.push_back(std::string("--benchmark_enable_random_interleaving=") +
		       (o->interleave ? "true" : "false"));
	for (auto &a : args)
		argv.push_back(&a[0]);
	argv.push_back(nullptr);
	argc = (int)args.size();
	benchmark::Initialize(&argc, argv.data());

	CReporter rep(fn, arg, o->table);
	return (int)benchmark::RunSpecifiedBenchmarks(&rep);
}
