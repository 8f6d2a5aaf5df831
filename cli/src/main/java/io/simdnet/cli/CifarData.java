package io.simdnet.cli;

import io.simdnet.engine.data.DataSplits;
import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.data.Standardizer;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * CIFAR for the experiments: CIFAR-10, or CIFAR-100 with its 20 coarse labels (the one available offline here);
 * the training set split 40,000 / 10,000 into training and validation with the seed, and every split
 * standardised per channel with the training split's mean and standard deviation. The pixels stay the bytes they
 * were read as: the splits are views of them, and scaling and standardisation happen as each batch is gathered.
 */
record CifarData(Dataset train, Dataset validation, Dataset test, List<String> classNames, String source, Standardizer standardizer) {

    enum Which {
        CIFAR10,
        CIFAR100_COARSE
    }

    /** Standardised unless {@code normalize} is false (then pixels stay in [0, 1] and the standardizer is null). */
    static CifarData load(Which which, TrainingOptions options, PrintStream out, NormalizeOption normalize) throws IOException {
        LabeledData data = which == Which.CIFAR10 ? DataSources.cifar10(options) : DataSources.cifar100Coarse(options);
        if (options.limit != null) {
            // The files' other samples are garbage now (up to 185 MB of pixels), but the serial collector would keep
            // them in the old generation and grow the heap past them for the training's buffers.
            System.gc();
        }
        double validation = 0.2;
        List<Dataset> parts = DataSplits.split(data.train(), options.seed, 1 - validation, validation);
        if (normalize != null && normalize.off) {
            out.println("Not normalised (--no-normalize): pixels in [0, 1]");
            return new CifarData(parts.get(0), parts.get(1), data.test(), data.classNames(), data.source(), null);
        }
        Standardizer standardizer = Standardizer.fit(parts.get(0));
        out.printf(Locale.ROOT, "Standardised per channel with the training split's mean (%.3f, %.3f, %.3f) and std (%.3f, %.3f, %.3f)%n",
                standardizer.mean()[0], standardizer.mean()[1], standardizer.mean()[2], standardizer.std()[0], standardizer.std()[1],
                standardizer.std()[2]);
        return new CifarData(standardizer.standardize(parts.get(0)), standardizer.standardize(parts.get(1)), standardizer.standardize(data.test()),
                data.classNames(), data.source(), standardizer);
    }
}
