package io.simdnet.cli;

import io.simdnet.engine.data.Downloader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "download", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Fetches a dataset's canonical files and checks each one's SHA-256 before it gets its final name "
                + "(mnist, fashion-mnist). Files already present with the right hash are kept.")
final class DownloadCommand implements Callable<Integer> {

    @Parameters(paramLabel = "DATASET", description = "mnist or fashion-mnist")
    String dataset;

    @Option(names = "--dir", paramLabel = "DIR", description = "Parent folder; files go to DIR/DATASET (default: ${DEFAULT-VALUE}).")
    Path dir = Path.of("data");

    @Override
    public Integer call() throws Exception {
        if (!Downloader.SOURCES.containsKey(dataset)) {
            throw new IllegalArgumentException("unknown dataset '" + dataset + "'; expected one of " + Downloader.SOURCES.keySet());
        }
        Path target = dir.resolve(dataset);
        Downloader.fetchAll(dataset, target);
        System.out.println(dataset + " is in " + target.toAbsolutePath() + " (SHA-256 checked); the trainers look in ./data by default");
        return 0;
    }
}
