package io.simdnet.engine.profile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * A {@link Profiler}'s table, {@code torch.profiler}'s {@code key_averages()} for simdnet: per row its calls, total
 * and self time, average per call and share of the step. Rows of kind {@link Kind#FORWARD}, {@link Kind#BACKWARD},
 * {@link Kind#OUTSIDE} and {@link Kind#UNTIMED} are disjoint spans of the step and add up to it; {@link Kind#KERNEL}
 * rows are time inside their layer's row, and the {@link Kind#POOL} row is time inside the kernels (and layers).
 *
 * @param rows the step's rows by total time, then the kernels by total time, then the pool's hand-overs
 * @param steps training steps profiled (0 when no loop marked steps: then the shares are of the rows' sum)
 * @param stepNanos wall time of those steps
 * @param warmUpSteps steps left out as warm-up
 * @param warmUpNanos their wall time
 */
public record ProfileReport(List<Row> rows, long steps, long stepNanos, long warmUpSteps, long warmUpNanos) {

    /** What a row's time is part of; see the class comment. */
    public enum Kind {
        FORWARD("forward"),
        BACKWARD("backward"),
        OUTSIDE("outside"),
        /** The step's time in no other row: the loop's own work and the gaps between the timers. */
        UNTIMED("untimed"),
        KERNEL("kernel"),
        POOL("pool");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /** Whether rows of this kind are disjoint parts of the step (the others are time inside them). */
        public boolean topLevel() {
            return this == FORWARD || this == BACKWARD || this == OUTSIDE || this == UNTIMED;
        }
    }

    /**
     * One row: {@code selfNanos} is the total less the time of the rows inside it (a layer less its kernels, a kernel
     * less its pool hand-overs). {@code spec} and {@code algorithm} are set for kernels ({@code algorithm} for
     * convolutions: im2col, direct or dense), empty otherwise.
     */
    public record Row(String name, Kind kind, long calls, long totalNanos, long selfNanos, String spec, String algorithm) {

        public double totalMillis() {
            return totalNanos / 1e6;
        }

        public double averageMicros() {
            return calls == 0 ? 0 : totalNanos / 1e3 / calls;
        }
    }

    public ProfileReport {
        rows = List.copyOf(rows);
    }

    /** The report of {@code measured} rows, sorted, with the untimed rest of the steps added as a row of its own. */
    static ProfileReport of(List<Row> measured, long steps, long stepNanos, long warmUpSteps, long warmUpNanos) {
        List<Row> top = new ArrayList<>();
        List<Row> kernels = new ArrayList<>();
        List<Row> pool = new ArrayList<>();
        long timed = 0;
        for (Row r : measured) {
            if (r.kind().topLevel()) {
                top.add(r);
                timed += r.totalNanos();
            } else if (r.kind() == Kind.KERNEL) {
                kernels.add(r);
            } else {
                pool.add(r);
            }
        }
        if (steps > 0) {
            long rest = Math.max(0, stepNanos - timed);
            top.add(new Row("other (untimed)", Kind.UNTIMED, steps, rest, rest, "", ""));
        }
        Comparator<Row> byTotal = Comparator.comparingLong(Row::totalNanos).reversed();
        top.sort(byTotal);
        kernels.sort(byTotal);
        List<Row> all = new ArrayList<>(top);
        all.addAll(kernels);
        all.addAll(pool);
        return new ProfileReport(all, steps, stepNanos, warmUpSteps, warmUpNanos);
    }

    /** The sum of the timed disjoint rows (forward, backward, outside): what the profiler measured of the steps. */
    public long timedNanos() {
        return rows.stream().filter(r -> r.kind().topLevel() && r.kind() != Kind.UNTIMED).mapToLong(Row::totalNanos).sum();
    }

    /** What the shares are of: the steps' wall time, or the sum of the disjoint rows when no loop marked steps. */
    public long baseNanos() {
        return steps > 0 ? stepNanos : timedNanos();
    }

    public List<Row> rows(Kind kind) {
        return rows.stream().filter(r -> r.kind() == kind).toList();
    }

    private double share(Row r) {
        long base = baseNanos();
        return base == 0 ? 0 : 100.0 * r.totalNanos() / base;
    }

    /** The table as printed at the end of a profiled run. */
    public String table() {
        StringBuilder s = new StringBuilder();
        if (steps > 0) {
            s.append(String.format(Locale.ROOT, "Profile of %d training step%s: %.1f ms, %.3f ms a step", steps, steps == 1 ? "" : "s",
                    stepNanos / 1e6, stepNanos / 1e6 / steps));
        } else {
            s.append(String.format(Locale.ROOT, "Profile: %.1f ms in the rows below", timedNanos() / 1e6));
        }
        if (warmUpSteps > 0) {
            s.append(String.format(Locale.ROOT, " (the first %s left out as warm-up: %.1f ms)", warmUpSteps == 1 ? "step" : warmUpSteps + " steps",
                    warmUpNanos / 1e6));
        }
        s.append(".\nforward, backward, outside and untimed rows add up to the step; kernel rows are time inside their layer's row, "
                + "the pool row time inside kernels.\n");
        int width = "Name".length();
        for (Row r : rows) {
            width = Math.max(width, r.name().length());
        }
        String header = String.format(Locale.ROOT, "%-" + width + "s  %-8s  %8s  %10s  %10s  %10s  %7s  %s", "Name", "Kind", "Calls", "Total ms",
                "Self ms", "Avg µs", "% step", "Kernel");
        s.append(header).append('\n').append("-".repeat(header.length())).append('\n');
        boolean topSection = true;
        for (Row r : rows) {
            if (topSection && !r.kind().topLevel()) {
                s.append(totalLine(width)).append('\n');
                topSection = false;
            }
            String kernel = r.spec().isEmpty() ? "" : (r.algorithm().isEmpty() ? "" : "[" + r.algorithm() + "] ") + r.spec();
            s.append(String.format(Locale.ROOT, "%-" + width + "s  %-8s  %8d  %10.1f  %10.1f  %10.1f  %7.1f  %s", r.name(), r.kind().label(),
                    r.calls(), r.totalMillis(), r.selfNanos() / 1e6, r.averageMicros(), share(r), kernel).stripTrailing()).append('\n');
        }
        if (topSection) {
            s.append(totalLine(width));
        }
        return s.toString();
    }

    /** The line under the step's rows: their sum, 100 %. */
    private String totalLine(int width) {
        return String.format(Locale.ROOT, "%-" + width + "s  %-8s  %8s  %10.1f  %10s  %10s  %7.1f%n", steps > 0 ? "step (wall)" : "total", "",
                steps > 0 ? Long.toString(steps) : "", baseNanos() / 1e6, "", "", 100.0);
    }

    /** profile.csv: one line per row, times in milliseconds and microseconds, the share in percent of the step. */
    public String csv() {
        StringBuilder s = new StringBuilder("name,kind,calls,total_ms,self_ms,avg_us,percent_of_step,spec,algorithm\n");
        for (Row r : rows) {
            s.append(quoted(r.name())).append(',').append(r.kind().label()).append(',').append(r.calls()).append(',')
                    .append(String.format(Locale.ROOT, "%.4f,%.4f,%.3f,%.3f", r.totalMillis(), r.selfNanos() / 1e6, r.averageMicros(), share(r)))
                    .append(',').append(quoted(r.spec())).append(',').append(r.algorithm()).append('\n');
        }
        s.append(String.format(Locale.ROOT, "%s,step,%d,%.4f,,,%.3f,,%n", steps > 0 ? "step (wall)" : "total", steps, baseNanos() / 1e6, 100.0));
        if (warmUpSteps > 0) {
            s.append(String.format(Locale.ROOT, "warm-up (left out),warm-up,%d,%.4f,,,,,%n", warmUpSteps, warmUpNanos / 1e6));
        }
        return s.toString();
    }

    private static String quoted(String field) {
        return field.indexOf(',') < 0 && field.indexOf('"') < 0 ? field : '"' + field.replace("\"", "\"\"") + '"';
    }

    @Override
    public String toString() {
        return table();
    }
}
