package io.simdnet.cli;

import io.simdnet.engine.train.ConfusionMatrix;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;

/** The confusion matrix as a heat map: rows are true classes, columns predictions, cells shaded by row fraction. */
final class ConfusionMatrixImage {

    private ConfusionMatrixImage() {
    }

    static void write(ConfusionMatrix cm, String title, Path png) throws IOException {
        int n = cm.classes();
        int cell = n <= 10 ? 52 : n <= 20 ? 36 : 16;
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, n <= 20 ? 11 : 8);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        FontMetrics metrics = probe.createGraphics().getFontMetrics(font);
        int label = 0;
        for (String name : cm.classNames()) {
            label = Math.max(label, metrics.stringWidth(name));
        }
        int left = label + 40;
        int top = label + 50;
        BufferedImage image = new BufferedImage(left + n * cell + 20, top + n * cell + 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(font.deriveFont(Font.BOLD, 13f));
        g.drawString(title + String.format(Locale.ROOT, " (accuracy %.4f)", cm.accuracy()), 10, 18);
        g.setFont(font);
        g.drawString("true class ↓   predicted →", 10, 34);
        for (int t = 0; t < n; t++) {
            long rowTotal = 0;
            for (int p = 0; p < n; p++) {
                rowTotal += cm.count(t, p);
            }
            g.setColor(Color.BLACK);
            String name = cm.classNames().get(t);
            g.drawString(name, left - 6 - metrics.stringWidth(name), top + t * cell + cell / 2 + 4);
            for (int p = 0; p < n; p++) {
                double fraction = rowTotal == 0 ? 0 : (double) cm.count(t, p) / rowTotal;
                int shade = (int) Math.round(255 * (1 - fraction));
                g.setColor(t == p ? new Color(shade, 255 - (255 - shade) / 3, shade) : new Color(255, shade, shade));
                g.fillRect(left + p * cell, top + t * cell, cell - 1, cell - 1);
                if (n <= 20) {
                    String count = Long.toString(cm.count(t, p));
                    g.setColor(fraction > 0.6 ? Color.WHITE : Color.BLACK);
                    g.drawString(count, left + p * cell + (cell - metrics.stringWidth(count)) / 2, top + t * cell + cell / 2 + 4);
                }
            }
        }
        AffineTransform normal = g.getTransform();
        g.setColor(Color.BLACK);
        for (int p = 0; p < n; p++) {
            g.setTransform(normal);
            g.translate(left + p * cell + cell / 2 + 4, top - 6);
            g.rotate(-Math.PI / 2);
            g.drawString(cm.classNames().get(p), 0, 0);
        }
        g.dispose();
        RunFolder.writeAtomically(png, temp -> ImageIO.write(image, "png", temp.toFile()));
    }
}
