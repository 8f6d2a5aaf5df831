package io.simdnet.kernel;

/**
 * How a GEMM call's micro-panels are dealt to parallel tasks. Any split gives the same result, since each
 * element of C is computed by one task in one fixed order; the split only decides speed.
 */
public final class TaskSplit {

    /** Fewer row panels per task than this and splitting columns balances better. */
    private static final int MIN_ROW_PANELS_PER_TASK = 8;

    private TaskSplit() {
    }

    /**
     * Row tasks out of {@code tasks} (the rest of the factor goes to columns). Few rows: split columns, so each
     * task also reads or packs only its own part of B. Many rows: split rows, the larger dimension.
     */
    public static int rowTasks(int tasks, int rowPanels, int columnPanels) {
        if (tasks <= 1) {
            return 1;
        }
        boolean fewRows = rowPanels < MIN_ROW_PANELS_PER_TASK * tasks;
        if (fewRows && columnPanels >= tasks) {
            return 1;
        }
        return tasks;
    }

    /** First of {@code total} items that part {@code part} of {@code parts} owns; part == parts gives total. */
    public static int start(int total, int parts, int part) {
        return (int) ((long) total * part / parts);
    }
}
