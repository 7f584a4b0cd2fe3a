package io.trafficmirror.examples.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ValidateCommandTest
{
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        return MirrorCommand.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
    }

    @Test
    void shouldPrintTheValidatedScenario()
    {
        assertThat(run("validate", "--config", "getting-started.json")).isZero();

        assertThat(out.toString())
            .contains("valid (1 target(s), 1 filter(s), 1 session(s), 2 network interface(s))")
            .contains("session tms-0c8f2e5b6a7d90123  number 1  VNI 5569041  packet length 8500 bytes")
            .contains("100 reject proto 6   0.0.0.0/0 -> 0.0.0.0/0 port 22-22");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void shouldPrintAwsJsonOnRequest()
    {
        assertThat(run("validate", "--config", "getting-started.json", "--json")).isZero();

        assertThat(out.toString()).contains("\"TrafficMirrorFilters\"", "\"VirtualNetworkId\" : 5569041");
    }

    @Test
    void shouldListEveryProblemAndExitOne(@TempDir final Path dir) throws Exception
    {
        final Path bad = dir.resolve("bad.json");
        Files.writeString(bad, Files.readString(Path.of("getting-started.json"))
            .replace("\"SessionNumber\": 1,", "\"SessionNumber\": 0,")
            .replace("\"RuleNumber\": 200,", "\"RuleNumber\": 32767,"));

        assertThat(run("validate", "--config", bad.toString())).isEqualTo(1);

        assertThat(err.toString())
            .contains("3 problem(s)")
            .contains("  [InvalidParameterValue] tms-0c8f2e5b6a7d90123: TrafficMirrorSessions[0].SessionNumber = 0; " +
                "allowed: 1..32766")
            .contains("  [InvalidParameterValue] tmfr-0ab1c2d3e4f500201: " +
                "TrafficMirrorFilters[0].IngressFilterRules[2].RuleNumber = 32767; allowed: 1..32766")
            .contains("  [InvalidParameterValue] tmfr-0ab1c2d3e4f500401: " +
                "TrafficMirrorFilters[0].EgressFilterRules[2].RuleNumber = 32767; allowed: 1..32766");
    }

    @Test
    void shouldNameTheEc2ErrorCodeOfEachProblem(@TempDir final Path dir) throws Exception
    {
        final String scenario = Files.readString(Path.of("getting-started.json"));
        final Path duplicateRule = dir.resolve("duplicate-rule.json");
        Files.writeString(duplicateRule, scenario.replaceFirst("\"RuleNumber\": 101,", "\"RuleNumber\": 100,"));
        final Path unknownTarget = dir.resolve("unknown-target.json");
        Files.writeString(unknownTarget, scenario.replace(
            "\"TrafficMirrorTargetId\": \"tmt-09e4f63ab1c7d2e45\",\n      \"TrafficMirrorFilterId\"",
            "\"TrafficMirrorTargetId\": \"tmt-gone\",\n      \"TrafficMirrorFilterId\""));

        assertThat(run("validate", "--config", duplicateRule.toString())).isEqualTo(1);
        assertThat(run("validate", "--config", unknownTarget.toString())).isEqualTo(1);

        assertThat(err.toString())
            .contains("  [TrafficMirrorFilterRuleAlreadyExists] tmf-04812ff784b25ae67: " +
                "TrafficMirrorFilters[0].IngressFilterRules[1].RuleNumber = 100; " +
                "allowed: a rule number not used by another ingress rule of this filter")
            .contains("  [InvalidTrafficMirrorTargetNoFound] tms-0c8f2e5b6a7d90123: " +
                "TrafficMirrorSessions[0].TrafficMirrorTargetId = tmt-gone; allowed: the id of a target in TrafficMirrorTargets");
    }

    @Test
    void shouldExitTwoForBadArguments()
    {
        assertThat(run("validate")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required option: '--config=CONFIG.json'");

        assertThat(run("validate", "--config", "no-such-file.json")).isEqualTo(2);
        assertThat(err.toString()).contains("no such file: no-such-file.json");

        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(run()).isEqualTo(2);
    }
}
