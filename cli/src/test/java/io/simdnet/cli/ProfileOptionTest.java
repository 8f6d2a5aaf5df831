package io.simdnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --profile}: the table at the end of the run, and profile.csv in the run folder. */
class ProfileOptionTest {

    @TempDir
    Path dir;

    @Test
    void lenet5WithProfilePrintsTheTableAndWritesProfileCsvToTheRunFolder() throws IOException {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream before = System.out;
        int code;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            code = Main.commandLine().execute("lenet5", "--profile", "--epochs", "1", "--limit", "600", "--no-progress", "--out",
                    dir.resolve("runs").toString());
        } finally {
            System.setOut(before);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        assertTrue(out.contains("Profile of ") && out.contains("step (wall)") && out.contains("conv2d › conv forward"), out);
        // The table comes at the end, before the run folder's line.
        assertTrue(out.indexOf("step (wall)") < out.indexOf("Run folder:") && out.indexOf("Test loss") < out.indexOf("Profile of "), out);

        Path run;
        try (Stream<Path> s = Files.list(dir.resolve("runs"))) {
            run = s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        List<String> csv = Files.readAllLines(run.resolve("profile.csv"));
        assertEquals("name,kind,calls,total_ms,self_ms,avg_us,percent_of_step,spec,algorithm", csv.get(0));
        for (String row : List.of("conv2d,forward,", "conv2d,backward,", "dense_1,backward,", "data gathering,outside,", "optimizer step,outside,",
                "conv2d › conv forward,kernel,", "step (wall),step,")) {
            assertTrue(csv.stream().anyMatch(line -> line.startsWith(row)), row + " in profile.csv:\n" + String.join("\n", csv));
        }
        assertTrue(csv.stream().anyMatch(line -> line.startsWith("conv2d › conv forward,") && line.contains(",conv2d f32 c=1 h=28 w=28 oc=6")),
                "the kernel's spec key:\n" + String.join("\n", csv));
        assertTrue(Files.readString(run.resolve("profile.txt")).contains("step (wall)"));
    }

    @Test
    void aSweepRefusesProfileSayingWhatToProfileInstead() {
        StringWriter err = new StringWriter();
        var cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        assertEquals(2, cli.execute("sweep", "--profile", "--out", dir.toString()));
        assertTrue(err.toString().contains("--profile: a sweep trains many models"), err.toString());
    }
}
