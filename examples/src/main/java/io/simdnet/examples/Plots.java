package io.simdnet.examples;

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
        save(loss, run.path("loss.png"));

        XYChart accuracy = chart(title + ": accuracy", "epoch", "accuracy");
        line(accuracy, "train", x, epochs.stream().mapToDouble(EpochLogs::trainAccuracy).toArray(), new Color(31, 119, 180));
        line(accuracy, "validation", x, epochs.stream().mapToDouble(EpochLogs::validationAccuracy).toArray(), new Color(255, 127, 14));
        if (!accuracy.getSeriesMap().isEmpty()) {
            save(accuracy, run.path("accuracy.png"));
        }
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
