package io.simdnet.cli;

import picocli.CommandLine.Option;

/** --no-normalize, for the trainers that standardise their inputs with the training split's statistics. */
public final class NormalizeOption {

    @Option(names = "--no-normalize", description = "Keep pixels in [0, 1] instead of standardising them with the training split's mean and std.")
    boolean off;
}
