using System.Text.Json.Serialization;

namespace MlOps.Benchmarks;

/// <summary>An absolute value with its unit, e.g. copy at 2126 MiB/s.</summary>
public sealed record Quantity(string Name, double Value, string Unit);

/// <summary>
/// What a figure should reach: a bound on its <see cref="Of"/> ("ratio", "measured" or "difference" = measured − baseline),
/// e.g. ratio >= 0.8 or measured &lt; 64 MiB.
/// </summary>
public sealed record Target(string Of, string Op, double Value, string? Unit = null)
{
    public bool IsMet(Figure figure)
    {
        double? actual = Of switch
        {
            "ratio" => figure.Ratio,
            "measured" => figure.Measured?.Value,
            "difference" => figure.Measured is { } m && figure.Baseline is { } b ? m.Value - b.Value : null,
            _ => null,
        };
        return actual is double v && Op switch
        {
            ">=" => v >= Value,
            ">" => v > Value,
            "<=" => v <= Value,
            "<" => v < Value,
            _ => false,
        };
    }

    public override string ToString() => $"{Of} {Op} {Value:0.###}{(Unit is null ? "" : " " + Unit)}";
}

/// <summary>
/// One benchmark figure: a ratio measured against a baseline in the same run (absolute times vary on shared machines),
/// with both absolute values beside it. <see cref="Status"/> is "pending" for a slot that is not measured yet.
/// </summary>
public sealed record Figure(
    string Name,
    string Group,
    double? Ratio,
    string RatioMeaning,
    Quantity? Baseline,
    Quantity? Measured,
    Target? Target,
    string? Note = null,
    string Status = "measured")
{
    [JsonPropertyName("met")]
    public bool? Met => Status == "measured" && Target is not null ? Target.IsMet(this) : null;

    /// <summary>measured MiB/s ÷ baseline MiB/s.</summary>
    public static Figure Throughput(string name, string group, Quantity baseline, Quantity measured, Target? target = null, string? note = null) =>
        new(name, group, measured.Value / baseline.Value, "measured MiB/s ÷ baseline MiB/s (higher is better)", baseline, measured, target, note);

    /// <summary>measured time ÷ baseline time.</summary>
    public static Figure TimeRatio(string name, string group, Quantity baseline, Quantity measured, Target? target = null, string? note = null) =>
        new(name, group, measured.Value / baseline.Value, "measured time ÷ baseline time (lower is better)", baseline, measured, target, note);

    /// <summary>Peak resident memory above the process's level before the operation, against the artifact's size.</summary>
    public static Figure Memory(string name, double artifactMib, double peakExtraMib, double limitMib = 64) =>
        new(name, "memory", peakExtraMib / artifactMib, "peak extra MiB ÷ artifact MiB (lower is better)",
            new Quantity("artifact size", artifactMib, "MiB"), new Quantity("peak extra resident memory", peakExtraMib, "MiB"),
            new Target("measured", "<", limitMib, "MiB"));

    /// <summary>A slot for a figure someone still has to measure; shown as pending, never as a result.</summary>
    public static Figure Pending(string name, string group, string note) =>
        new(name, group, null, "", null, null, null, note, "pending");
}
