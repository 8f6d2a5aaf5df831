package io.simdnet.engine.data;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a server on the loopback interface; never the internet. */
class DownloaderTest {

    private static final byte[] CONTENT = "pretend this is train-labels-idx1-ubyte.gz".repeat(2000).getBytes(UTF_8);

    @TempDir
    Path dir;

    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/file.gz", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(200, CONTENT.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(CONTENT);
            }
        });
        server.createContext("/moved", exchange -> {
            requests.incrementAndGet();
            exchange.getResponseHeaders().add("Location", "/file.gz");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private List<String> filesInDir() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void downloadsAndVerifiesIntoTheTarget() throws Exception {
        Path target = dir.resolve("sub/file.gz");
        Downloader.download(uri("/file.gz"), target, sha256(CONTENT).toUpperCase());
        assertArrayEquals(CONTENT, Files.readAllBytes(target));
        try (Stream<Path> files = Files.list(target.getParent())) {
            assertEquals(1, files.count(), "no temporary file left beside the target");
        }
    }

    @Test
    void followsRedirects() throws Exception {
        Path target = dir.resolve("file.gz");
        Downloader.download(uri("/moved"), target, sha256(CONTENT));
        assertArrayEquals(CONTENT, Files.readAllBytes(target));
    }

    @Test
    void wrongHashLeavesNoFileAndNamesBothHashes() throws Exception {
        Path target = dir.resolve("file.gz");
        String wrong = "0".repeat(64);
        IOException e = assertThrows(IOException.class, () -> Downloader.download(uri("/file.gz"), target, wrong));
        assertTrue(e.getMessage().startsWith(target.toAbsolutePath().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("SHA-256 " + sha256(CONTENT)) && e.getMessage().contains("expected " + wrong), e.getMessage());
        assertEquals(List.of(), filesInDir(), "neither the target nor a temporary file");
    }

    @Test
    void wrongHashKeepsAnExistingTargetAsItWas() throws Exception {
        Path target = Files.writeString(dir.resolve("file.gz"), "the old file");
        assertThrows(IOException.class, () -> Downloader.download(uri("/file.gz"), target, "1".repeat(64)));
        assertEquals("the old file", Files.readString(target));
        assertEquals(List.of("file.gz"), filesInDir());
    }

    @Test
    void notFoundNamesTheUrlAndStatus() throws Exception {
        Path target = dir.resolve("file.gz");
        IOException e = assertThrows(IOException.class, () -> Downloader.download(uri("/missing.gz"), target, sha256(CONTENT)));
        assertEquals("GET " + uri("/missing.gz") + ": HTTP status 404, expected 200", e.getMessage());
        assertEquals(List.of(), filesInDir());
    }

    @Test
    void malformedHashIsRefusedBeforeConnecting() throws Exception {
        for (String hash : new String[] {"abc", "g".repeat(64), "0".repeat(63), null}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Downloader.download(uri("/file.gz"), dir.resolve("x"), hash));
            assertTrue(e.getMessage().contains("SHA-256 " + hash + " is not 64 hexadecimal digits"), e.getMessage());
        }
        assertEquals(0, requests.get(), "requests that reached the server");
        assertEquals(List.of(), filesInDir());
    }

    @Test
    void unknownDatasetIsRefusedNamingTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Downloader.fetchAll("no-such-dataset", dir));
        assertTrue(e.getMessage().contains("'no-such-dataset'") && e.getMessage().contains("mnist"), e.getMessage());
    }

    @Test
    void knownSourcesCoverTheMnistFamilyFilesWithSha256() {
        assertEquals(List.of("fashion-mnist", "mnist"), Downloader.SOURCES.keySet().stream().sorted().toList());
        for (Map.Entry<String, List<Downloader.RemoteFile>> source : Downloader.SOURCES.entrySet()) {
            assertEquals(MnistFamily.FILES.stream().map(name -> name + ".gz").toList(),
                    source.getValue().stream().map(Downloader.RemoteFile::fileName).toList(), source.getKey());
            for (Downloader.RemoteFile file : source.getValue()) {
                assertTrue(file.sha256().matches("[0-9a-f]{64}"), file.toString());
                assertTrue(file.uri().getPath().endsWith("/" + file.fileName()), file.toString());
            }
        }
    }

    @Test
    void anUnreachableServerIsReportedWithTheAddressAndAHintNotNull() throws IOException {
        // A port nothing listens on: what "offline" looks like to the client, quickly.
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        URI uri = URI.create("http://127.0.0.1:" + port + "/train-images-idx3-ubyte.gz");
        Path target = dir.resolve("mnist/train-images-idx3-ubyte.gz");
        IOException e = assertThrows(IOException.class, () -> Downloader.download(uri, target, "0".repeat(64)));
        assertTrue(e.getMessage() != null && e.getMessage().contains(uri.toString()) && e.getMessage().contains("cannot reach the server"),
                String.valueOf(e.getMessage()));
    }
}
