package io.simdnet.cli;

import io.simdnet.engine.train.EpochLogs;
import io.simdnet.engine.train.History;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Line charts with XChart: training curves, and one chart comparing several runs. */
final class Plots {

    private static final int WIDTH = 900;
    private static final int HEIGHT = 540;

    private Plots() {
    }

    /** loss.png (per-step loss faint, per-epoch train and validation loss) and accuracy.png (per epoch). */
    static void curves(History history, RunFolder run, String title) throws IOException {
        curves(history, run, title, "");
    }

    /** As {@link #curves(History, RunFolder, String)}, the file names starting with {@code prefix} (one run of several). */
    static void curves(History history, RunFolder run, String title, String prefix) throws IOException {
        List<EpochLogs> epochs = history.epochs();
        double[] x = new double[epochs.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1;
        }
        XYChart loss = chart(title + ": loss", "epoch", "loss");
        double[] steps = history.stepLosses();
        if (steps.length > 1) {
            // A running mean over ~1/100 of the steps: the raw per-step loss is too noisy to read.
            int window = Math.max(1, steps.length / 100);
            double[] smooth = new double[steps.length];
            double sum = 0;
            for (int i = 0; i < steps.length; i++) {
                sum += steps[i] - (i >= window ? steps[i - window] : 0);
                smooth[i] = sum / Math.min(i + 1, window);
            }
            double[] stepX = new double[steps.length];
            for (int i = 0; i < steps.length; i++) {
                stepX[i] = (i + 1.0) / steps.length * epochs.size();
            }
            XYSeries s = loss.addSeries("train (running mean of steps)", stepX, smooth);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(new Color(31, 119, 180, 90));
            s.setLineWidth(1f);
        }
        line(loss, "train (epoch mean)", x, epochs.stream().mapToDouble(EpochLogs::trainLoss).toArray(), new Color(31, 119, 180));
        line(loss, "validation", x, epochs.stream().mapToDouble(EpochLogs::validationLoss).toArray(), new Color(255, 127, 14));
        save(loss, run.path(prefix + "loss.png"));

        XYChart accuracy = chart(title + ": accuracy", "epoch", "accuracy");
        line(accuracy, "train", x, epochs.stream().mapToDouble(EpochLogs::trainAccuracy).toArray(), new Color(31, 119, 180));
        line(accuracy, "validation", x, epochs.stream().mapToDouble(EpochLogs::validationAccuracy).toArray(), new Color(255, 127, 14));
        if (!accuracy.getSeriesMap().isEmpty()) {
            save(accuracy, run.path(prefix + "accuracy.png"));
        }
    }

    /**
     * The PyTorch MNIST exercise's figure: the training loss of every step against the number of training examples
     * seen so far, and a marker per epoch for the held-out loss ({@code testLosses}, or the validation loss when
     * null) at the examples seen by the end of that epoch.
     */
    static void lossVsExamplesSeen(History history, int trainSize, int batchSize, List<Double> testLosses, String title, Path png)
            throws IOException {
        double[] steps = history.stepLosses();
        if (steps.length == 0) {
            return;
        }
        int perEpoch = (trainSize + batchSize - 1) / batchSize;
        double[] seen = new double[steps.length];
        long total = 0;
        for (int i = 0; i < steps.length; i++) {
            int inEpoch = i % perEpoch;
            total += inEpoch == perEpoch - 1 ? trainSize - (long) (perEpoch - 1) * batchSize : batchSize;
            seen[i] = total;
        }
        XYChart chart = chart(title + ": loss against training examples seen", "training examples seen", "loss");
        chart.getStyler().setXAxisDecimalPattern("#,###");
        XYSeries train = chart.addSeries("train loss (each step)", seen, steps);
        train.setMarker(SeriesMarkers.NONE);
        train.setLineColor(new Color(31, 119, 180));
        train.setLineWidth(1f);
        List<EpochLogs> epochs = history.epochs();
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (int e = 0; e < epochs.size(); e++) {
            long atEnd = (e + 1L) * trainSize;
            double y = testLosses != null ? (e < testLosses.size() ? testLosses.get(e) : Double.NaN) : epochs.get(e).validationLoss();
            if (Double.isFinite(y)) {
                xs.add((double) Math.min(atEnd, total));
                ys.add(y);
            }
        }
        if (!xs.isEmpty()) {
            XYSeries held = chart.addSeries(testLosses != null ? "test loss (after each epoch)" : "validation loss (after each epoch)", xs, ys);
            held.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            held.setMarker(SeriesMarkers.CIRCLE);
            held.setMarkerColor(Color.RED);
        }
        save(chart, png);
    }

    /** A bar chart of class counts, one group of bars per split (the face study's class histogram). */
    static void classHistogram(Map<String, int[]> countsBySplit, List<String> classNames, String title, Path png) throws IOException {
        org.knowm.xchart.CategoryChart chart = new org.knowm.xchart.CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("class").yAxisTitle("images").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        for (Map.Entry<String, int[]> e : countsBySplit.entrySet()) {
            List<Integer> counts = new ArrayList<>();
            for (int c : e.getValue()) {
                counts.add(c);
            }
            chart.addSeries(e.getKey(), classNames, counts);
        }
        RunFolder.writeAtomically(png, temp -> BitmapEncoder.saveBitmap(chart, temp.toString(), BitmapEncoder.BitmapFormat.PNG));
    }

    /** Curves over a shared x axis (e.g. validation accuracy against iterations). */
    static void xy(String title, String xLabel, String yLabel, double[] x, Map<String, double[]> curves, Path png) throws IOException {
        XYChart chart = chart(title, xLabel, yLabel);
        chart.getStyler().setXAxisDecimalPattern("#,###");
        for (Map.Entry<String, double[]> e : curves.entrySet()) {
            line(chart, e.getKey(), x, e.getValue(), null);
        }
        save(chart, png);
    }

    /** One chart with a curve per named run (e.g. a sweep's validation accuracy per epoch). */
    static void compare(Map<String, double[]> curves, String title, String yLabel, Path png) throws IOException {
        XYChart chart = chart(title, "epoch", yLabel);
        for (Map.Entry<String, double[]> e : curves.entrySet()) {
            double[] y = e.getValue();
            double[] x = new double[y.length];
            for (int i = 0; i < y.length; i++) {
                x[i] = i + 1;
            }
            line(chart, e.getKey(), x, y, null);
        }
        save(chart, png);
    }

    private static XYChart chart(String title, String xLabel, String yLabel) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        chart.getStyler().setAntiAlias(true);
        chart.getStyler().setXAxisDecimalPattern("0.#");
        chart.getStyler().setXAxisTickMarkSpacingHint(90);
        return chart;
    }

    /** Adds the finite points of {@code y} (a missing validation value is NaN) as a line with markers. */
    private static void line(XYChart chart, String name, double[] x, double[] y, Color color) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (int i = 0; i < y.length; i++) {
            if (Double.isFinite(y[i])) {
                xs.add(x[i]);
                ys.add(y[i]);
            }
        }
        if (xs.isEmpty()) {
            return;
        }
        XYSeries s = chart.addSeries(name, xs, ys);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setLineStyle(new BasicStroke(2f));
        if (color != null) {
            s.setLineColor(color);
            s.setMarkerColor(color);
        }
    }

    private static void save(XYChart chart, Path png) throws IOException {
        RunFolder.writeAtomically(png, temp -> BitmapEncoder.saveBitmap(chart, temp.toString(), BitmapEncoder.BitmapFormat.PNG));
    }
}
