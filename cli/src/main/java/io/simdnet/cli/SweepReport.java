package io.simdnet.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The sweep's outputs from its trials' results, wherever they ran: {@code sweep.md} (the table, best first),
 * {@code sweep.csv}, {@code sweep.png} (every validation-accuracy curve) and, on request, each trial's per-epoch
 * metrics under {@code trials/}. Failed trials come last, with their message in place of the metrics.
 */
public final class SweepReport {

    private SweepReport() {
    }

    /** One line per finished trial, as the local sweep prints it when the trial ends. */
    public static String line(TrialResult r) {
        if (!r.ok()) {
            return String.format(Locale.ROOT, "%-40s failed: %s (%.1f s)", r.trial().label(), r.failure(), r.seconds());
        }
        return String.format(Locale.ROOT, "%-40s best val acc %.4f, last %.4f (%.1f s)", r.trial().label(), r.bestValidationAccuracy(),
                r.lastValidationAccuracy(), r.seconds());
    }

    /** Writes the table, CSV and plot into {@code folder}; returns the table (Markdown). */
    static String write(List<TrialResult> results, String dataSource, RunFolder folder, boolean perTrialMetrics) throws IOException {
        List<TrialResult> rows = new ArrayList<>(results.stream().filter(TrialResult::ok).toList());
        // Stable: trials that tie keep their grid order.
        rows.sort(Comparator.comparingDouble(TrialResult::bestValidationAccuracy).reversed());
        List<TrialResult> failed = results.stream().filter(r -> !r.ok()).toList();
        // An epochs column only when the sweep varies them, so a sweep of one epoch count reads as it always has.
        boolean epochs = results.stream().mapToInt(r -> r.trial().epochs()).distinct().count() > 1;
        StringBuilder table = new StringBuilder("| learning rate | batch | dropout | weight decay |" + (epochs ? " epochs |" : "")
                + " best val acc | last val acc | last val loss | seconds |\n" + "|---|---|---|---|" + (epochs ? "---|" : "") + "---|---|---|---|\n");
        StringBuilder csv = new StringBuilder("learning_rate,batch_size,dropout,weight_decay," + (epochs ? "epochs," : "")
                + "best_val_accuracy,last_val_accuracy,last_val_loss,seconds" + (failed.isEmpty() ? "" : ",error") + "\n");
        Map<String, double[]> curves = new LinkedHashMap<>();
        for (TrialResult r : rows) {
            SweepTrial t = r.trial();
            table.append(String.format(Locale.ROOT, "| %s | %d | %s | %s |%s %.4f | %.4f | %.4f | %.1f |%n", SweepTrial.rate(t.learningRate()),
                    t.batchSize(), SweepTrial.fraction(t.dropout()), SweepTrial.rate(t.weightDecay()), epochs ? " " + t.epochs() + " |" : "",
                    r.bestValidationAccuracy(), r.lastValidationAccuracy(), r.lastValidationLoss(), r.seconds()));
            csv.append(String.format(Locale.ROOT, "%g,%d,%g,%g,%s%.6f,%.6f,%.6f,%.2f%s%n", t.learningRate(), t.batchSize(), t.dropout(), t.weightDecay(),
                    epochs ? t.epochs() + "," : "", r.bestValidationAccuracy(), r.lastValidationAccuracy(), r.lastValidationLoss(), r.seconds(),
                    failed.isEmpty() ? "" : ","));
            String label = t.label() + (epochs ? ", " + t.epochs() + " epochs" : "");
            // A random search can draw one combination twice; each curve keeps its own line.
            curves.put(curves.containsKey(label) ? label + " (trial " + t.index() + ")" : label, r.validationAccuracy());
        }
        for (TrialResult r : failed) {
            SweepTrial t = r.trial();
            table.append(String.format(Locale.ROOT, "| %s | %d | %s | %s |%s failed: %s | | | %.1f |%n", SweepTrial.rate(t.learningRate()),
                    t.batchSize(), SweepTrial.fraction(t.dropout()), SweepTrial.rate(t.weightDecay()), epochs ? " " + t.epochs() + " |" : "",
                    r.failure(), r.seconds()));
            csv.append(String.format(Locale.ROOT, "%g,%d,%g,%g,%s,,,%.2f,\"%s\"%n", t.learningRate(), t.batchSize(), t.dropout(), t.weightDecay(),
                    epochs ? t.epochs() + "," : "", r.seconds(), r.failure().replace("\"", "\"\"")));
        }
        folder.writeText("sweep.md", table.toString());
        folder.writeText("sweep.csv", csv.toString());
        Plots.compare(curves, "Sweep on " + dataSource, "validation accuracy", folder.path("sweep.png"));
        if (perTrialMetrics) {
            for (TrialResult r : results) {
                folder.writeText("trials/trial-" + r.trial().index() + ".csv", trialCsv(r));
            }
        }
        return table.toString();
    }

    /** One trial's epochs: train and validation loss and accuracy (a header and its error only, if it failed). */
    static String trialCsv(TrialResult r) {
        StringBuilder csv = new StringBuilder("# " + r.trial().label() + ", model " + r.trial().model().cliName() + ", epochs " + r.trial().epochs()
                + ", seed " + r.trial().seed() + (r.ok() ? "" : ", failed: " + r.failure()) + "\n");
        csv.append("epoch,train_loss,train_accuracy,val_loss,val_accuracy\n");
        for (int e = 0; e < r.validationAccuracy().length; e++) {
            csv.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f%n", e + 1, r.trainLoss()[e], r.trainAccuracy()[e], r.validationLoss()[e],
                    r.validationAccuracy()[e]));
        }
        return csv.toString();
    }
}
