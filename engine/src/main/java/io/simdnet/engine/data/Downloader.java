package io.simdnet.engine.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Downloads dataset files and checks them against a known SHA-256 before they appear under their final name: a file
 * that is present is always complete and the expected one. {@link #SOURCES} lists the canonical locations of MNIST and
 * Fashion-MNIST.
 */
public final class Downloader {

    /** One file of a dataset: the name it is saved under, where it comes from, and the SHA-256 of its bytes. */
    public record RemoteFile(String fileName, URI uri, String sha256) {
    }

    private static final String FASHION_MNIST = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";
    private static final String MNIST = "https://ossci-datasets.s3.amazonaws.com/mnist/";

    /**
     * Canonical download locations by dataset name (the directory names {@link DataLocator} looks for). MNIST's hashes
     * are those of the files on its homepage, which this mirror serves unchanged. Fashion-MNIST's are those of the
     * files its authors publish (whose MD5 sums their README lists), as TensorFlow Datasets records them.
     */
    public static final Map<String, List<RemoteFile>> SOURCES = Map.of(
            "mnist", List.of(
                    new RemoteFile("train-images-idx3-ubyte.gz", URI.create(MNIST + "train-images-idx3-ubyte.gz"),
                            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
                    new RemoteFile("train-labels-idx1-ubyte.gz", URI.create(MNIST + "train-labels-idx1-ubyte.gz"),
                            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
                    new RemoteFile("t10k-images-idx3-ubyte.gz", URI.create(MNIST + "t10k-images-idx3-ubyte.gz"),
                            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
                    new RemoteFile("t10k-labels-idx1-ubyte.gz", URI.create(MNIST + "t10k-labels-idx1-ubyte.gz"),
                            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6")),
            "fashion-mnist", List.of(
                    new RemoteFile("train-images-idx3-ubyte.gz", URI.create(FASHION_MNIST + "train-images-idx3-ubyte.gz"),
                            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
                    new RemoteFile("train-labels-idx1-ubyte.gz", URI.create(FASHION_MNIST + "train-labels-idx1-ubyte.gz"),
                            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
                    new RemoteFile("t10k-images-idx3-ubyte.gz", URI.create(FASHION_MNIST + "t10k-images-idx3-ubyte.gz"),
                            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
                    new RemoteFile("t10k-labels-idx1-ubyte.gz", URI.create(FASHION_MNIST + "t10k-labels-idx1-ubyte.gz"),
                            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5")));

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** Until the response headers arrive; the body then takes as long as it takes. */
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(60);
    private static final int CHUNK_BYTES = 1 << 16;

    private Downloader() {
    }

    /**
     * Downloads {@code source} (following redirects, but not from https to http) to a temporary file beside
     * {@code target}, checks its SHA-256 and only then renames it to {@code target}, replacing any file there. On any
     * failure (a status other than 200, a broken connection, a wrong hash) the temporary file is deleted and
     * {@code target} is left as it was.
     */
    public static void download(URI source, Path target, String sha256Hex) throws IOException {
        if (sha256Hex == null || !SHA256_HEX.matcher(sha256Hex).matches()) {
            throw new IllegalArgumentException("download " + source + ": expected SHA-256 " + sha256Hex + " is not 64 hexadecimal digits");
        }
        String expected = sha256Hex.toLowerCase(Locale.ROOT);
        Path absolute = target.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        HttpRequest request = HttpRequest.newBuilder(source).timeout(RESPONSE_TIMEOUT).GET().build();
        try (HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(CONNECT_TIMEOUT).build()) {
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new IOException("GET " + source + ": HTTP status " + response.statusCode() + ", expected 200"
                            + (response.uri().equals(source) ? "" : " (redirected to " + response.uri() + ")"));
                }
                save(source, body, absolute, expected);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("download of " + source + " to " + target + " was interrupted");
        } catch (java.net.ConnectException | java.net.UnknownHostException | java.net.http.HttpTimeoutException e) {
            // The JDK's messages here are often null or only a host name.
            throw new IOException("GET " + source + ": cannot reach the server (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); check the network or copy the files into " + absolute.getParent()
                    + " by hand", e);
        }
    }

    private static void save(URI source, InputStream body, Path target, String expected) throws IOException {
        Path temporary = DataFiles.createTemporary(target);
        try {
            MessageDigest digest = sha256();
            long bytes = 0;
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                byte[] chunk = new byte[CHUNK_BYTES];
                for (int read; (read = body.read(chunk)) >= 0; ) {
                    digest.update(chunk, 0, read);
                    DataFiles.writeFully(channel, ByteBuffer.wrap(chunk, 0, read));
                    bytes += read;
                }
                channel.force(true);
            }
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equals(expected)) {
                throw new IOException(target + ": the " + bytes + " bytes downloaded from " + source + " have SHA-256 " + actual + ", expected "
                        + expected + "; the file was not saved");
            }
            DataFiles.moveIntoPlace(temporary, target);
        } catch (Throwable failure) {
            DataFiles.deleteQuietly(temporary, failure);
            throw failure;
        }
    }

    /**
     * Downloads every file of {@code dataset} (a key of {@link #SOURCES}) into {@code dir}, skipping files already there
     * with the right hash.
     */
    public static void fetchAll(String dataset, Path dir) throws IOException {
        List<RemoteFile> files = SOURCES.get(dataset);
        if (files == null) {
            throw new IllegalArgumentException("fetchAll: no download source for dataset '" + dataset + "'; known: " + SOURCES.keySet());
        }
        for (RemoteFile file : files) {
            Path target = dir.resolve(file.fileName());
            if (Files.isRegularFile(target) && sha256(target).equals(file.sha256())) {
                continue;
            }
            download(file.uri(), target, file.sha256());
        }
    }

    /** The SHA-256 of a file's bytes, as 64 lower-case hexadecimal digits. */
    static String sha256(Path file) throws IOException {
        MessageDigest digest = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] chunk = new byte[CHUNK_BYTES];
            for (int read; (read = in.read(chunk)) >= 0; ) {
                digest.update(chunk, 0, read);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
