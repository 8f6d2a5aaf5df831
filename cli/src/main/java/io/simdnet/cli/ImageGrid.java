package io.simdnet.cli;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A PNG grid of small images (samples, filters, reconstructions), each scaled up without smoothing and
 * min-max normalised on its own so that filters of any scale are visible, with an optional caption below.
 */
final class ImageGrid {

    /** One image in CHW order (1 or 3 channels) and its caption ("" for none). */
    record Tile(float[] pixels, int channels, int height, int width, String caption) {
        Tile {
            if (channels != 1 && channels != 3) {
                throw new IllegalArgumentException("Image grid: tiles need 1 or 3 channels, got " + channels);
            }
            if (pixels.length < channels * height * width) {
                throw new IllegalArgumentException("Image grid: " + pixels.length + " values for a " + channels + "×" + height + "×" + width + " tile");
            }
        }
    }

    private static final int GAP = 4;

    private ImageGrid() {
    }

    static void write(List<Tile> tiles, int columns, int scale, String title, Path png) throws IOException {
        write(tiles, columns, scale, title, png, false);
    }

    /**
     * As {@link #write(List, int, int, String, Path)}; with {@code unitRange} every tile is drawn as values in [0, 1]
     * (clamped) instead of its own min-max, for images whose true colours matter (a de-normalised photo).
     */
    static void write(List<Tile> tiles, int columns, int scale, String title, Path png, boolean unitRange) throws IOException {
        if (tiles.isEmpty()) {
            return;
        }
        BufferedImage image = render(tiles, columns, scale, title, unitRange);
        RunFolder.writeAtomically(png, temp -> ImageIO.write(image, "png", temp.toFile()));
    }

    /**
     * Several grids (from {@link #render}) in one picture, {@code columns} panels per row, each at its own size
     * in a cell as large as the largest, under one title: comparisons such as the autoencoder's hidden units per
     * setting.
     */
    static void writeSideBySide(List<BufferedImage> panels, int columns, String title, Path png) throws IOException {
        int cellW = panels.stream().mapToInt(BufferedImage::getWidth).max().orElse(1) + GAP;
        int cellH = panels.stream().mapToInt(BufferedImage::getHeight).max().orElse(1) + GAP;
        int rows = (panels.size() + columns - 1) / columns;
        int titleH = 26;
        BufferedImage image = new BufferedImage(Math.min(columns, panels.size()) * cellW + GAP, titleH + rows * cellH + GAP, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, GAP, 18);
        for (int i = 0; i < panels.size(); i++) {
            g.drawImage(panels.get(i), GAP + (i % columns) * cellW, titleH + (i / columns) * cellH, null);
        }
        g.dispose();
        RunFolder.writeAtomically(png, temp -> ImageIO.write(image, "png", temp.toFile()));
    }

    /** The grid as an image (see {@link #write(List, int, int, String, Path, boolean)}). */
    static BufferedImage render(List<Tile> tiles, int columns, int scale, String title, boolean unitRange) {
        boolean captions = tiles.stream().anyMatch(t -> !t.caption().isEmpty());
        int tileW = tiles.get(0).width() * scale;
        int tileH = tiles.get(0).height() * scale;
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 10);
        int captionH = captions ? 15 : 0;
        int captionW = 0;
        if (captions) {
            Graphics2D probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
            FontMetrics probeMetrics = probe.getFontMetrics(font);
            for (Tile t : tiles) {
                captionW = Math.max(captionW, probeMetrics.stringWidth(t.caption()) + 4);
            }
            probe.dispose();
        }
        int cellW = Math.max(tileW, captionW) + GAP;
        int cellH = tileH + captionH + GAP;
        int rows = (tiles.size() + columns - 1) / columns;
        int titleH = title.isEmpty() ? 0 : 22;
        BufferedImage image = new BufferedImage(columns * cellW + GAP, titleH + rows * cellH + GAP, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(Color.BLACK);
        if (!title.isEmpty()) {
            g.setFont(font.deriveFont(Font.BOLD, 13f));
            g.drawString(title, GAP, 16);
        }
        g.setFont(font);
        FontMetrics metrics = g.getFontMetrics();
        for (int i = 0; i < tiles.size(); i++) {
            Tile t = tiles.get(i);
            int x0 = GAP + (i % columns) * cellW + (cellW - GAP - tileW) / 2;
            int y0 = titleH + GAP + (i / columns) * cellH;
            paint(image, t, x0, y0, scale, unitRange);
            if (captions) {
                String caption = t.caption();
                int textW = metrics.stringWidth(caption);
                g.setColor(Color.BLACK);
                g.drawString(caption, GAP + (i % columns) * cellW + Math.max(0, (cellW - GAP - textW) / 2), y0 + tileH + 12);
            }
        }
        g.dispose();
        return image;
    }

    private static void paint(BufferedImage image, Tile t, int x0, int y0, int scale, boolean unitRange) {
        int plane = t.height() * t.width();
        float min = unitRange ? 0 : Float.POSITIVE_INFINITY;
        float max = unitRange ? 1 : Float.NEGATIVE_INFINITY;
        for (int i = 0; i < t.channels() * plane && !unitRange; i++) {
            min = Math.min(min, t.pixels()[i]);
            max = Math.max(max, t.pixels()[i]);
        }
        float range = max > min ? max - min : 1;
        for (int y = 0; y < t.height(); y++) {
            for (int x = 0; x < t.width(); x++) {
                int[] rgb = new int[3];
                for (int c = 0; c < 3; c++) {
                    int channel = t.channels() == 1 ? 0 : c;
                    rgb[c] = Math.clamp(Math.round((t.pixels()[channel * plane + y * t.width() + x] - min) / range * 255), 0, 255);
                }
                int color = (rgb[0] << 16) | (rgb[1] << 8) | rgb[2];
                for (int dy = 0; dy < scale; dy++) {
                    for (int dx = 0; dx < scale; dx++) {
                        image.setRGB(x0 + x * scale + dx, y0 + y * scale + dy, color);
                    }
                }
            }
        }
    }
}
