package io.parvirt.bench;

import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the parvirt benchmarks (all of this package unless JMH include patterns are given) with
 * modest settings: 1 fork, 3 warmup and 5 measurement iterations of 1 s. Any JMH command-line
 * option given (for example {@code -f 2 -i 10 -rff out.json}) overrides them. The forked
 * JVM gets the daemon's own flags (serial GC, native access for SQLite).
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        CommandLineOptions cli = new CommandLineOptions(args);
        OptionsBuilder b = new OptionsBuilder();
        if (cli.getIncludes().isEmpty()) {
            b.include("io\\.parvirt\\.bench\\..*");
        } else {
            cli.getIncludes().forEach(b::include);
        }
        b.forks(cli.getForkCount().orElse(1))
                .warmupIterations(cli.getWarmupIterations().orElse(3))
                .warmupTime(cli.getWarmupTime().orElse(TimeValue.seconds(1)))
                .measurementIterations(cli.getMeasurementIterations().orElse(5))
                .measurementTime(cli.getMeasurementTime().orElse(TimeValue.seconds(1)))
                .jvmArgsAppend("-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED");
        if (cli.getResult().hasValue()) {
            b.result(cli.getResult().get())
                    .resultFormat(cli.getResultFormat().orElse(ResultFormatType.JSON));
        }
        new Runner(b.build()).run();
    }
}
