# Shared by the PowerShell benchmarks (dot-source it): figures in the same shape as tests/MlOps.Benchmarks/Figure.cs, so
# Write-BenchResults.ps1 merges both into bench/results.json. A benchmark is a script Measure-*.ps1 in this folder that
# writes its figures with Save-BenchFigures; build.ps1 -Task Bench runs every one of them.

function New-BenchFigure {
    <#
    .SYNOPSIS
        One figure: measured against a baseline from the same run, ratio = measured / baseline, with an optional target on
        the ratio, the measured value or the difference (measured - baseline).
    #>
    param(
        [Parameter(Mandatory)] [string] $Name,
        [Parameter(Mandatory)] [string] $Group,
        [Parameter(Mandatory)] [string] $BaselineName,
        [Parameter(Mandatory)] [double] $BaselineValue,
        [Parameter(Mandatory)] [string] $MeasuredName,
        [Parameter(Mandatory)] [double] $MeasuredValue,
        [Parameter(Mandatory)] [string] $Unit,
        [string] $RatioMeaning = 'measured time ÷ baseline time (lower is better)',
        [ValidateSet('ratio', 'measured', 'difference')] [string] $TargetOf,
        [ValidateSet('<', '<=', '>', '>=')] [string] $TargetOp,
        [double] $TargetValue,
        [string] $TargetUnit,
        [string] $Note
    )
    $ratio = if ($BaselineValue -ne 0) { $MeasuredValue / $BaselineValue } else { $null }
    $target = $null
    $met = $null
    if ($TargetOf) {
        $target = [ordered]@{ of = $TargetOf; op = $TargetOp; value = $TargetValue; unit = $(if ($TargetUnit) { $TargetUnit } else { $null }) }
        $actual = switch ($TargetOf) { 'ratio' { $ratio } 'measured' { $MeasuredValue } 'difference' { $MeasuredValue - $BaselineValue } }
        $met = switch ($TargetOp) { '<' { $actual -lt $TargetValue } '<=' { $actual -le $TargetValue } '>' { $actual -gt $TargetValue } '>=' { $actual -ge $TargetValue } }
    }
    [ordered]@{
        name = $Name; group = $Group; ratio = $ratio; ratioMeaning = $RatioMeaning
        baseline = [ordered]@{ name = $BaselineName; value = $BaselineValue; unit = $Unit }
        measured = [ordered]@{ name = $MeasuredName; value = $MeasuredValue; unit = $Unit }
        target = $target; note = $(if ($Note) { $Note } else { $null }); status = 'measured'; met = $met
    }
}

function Save-BenchFigures {
    # Writes a benchmark's figures where build.ps1 collects them (or prints them when no path is given).
    param([Parameter(Mandatory)] [object[]] $Figures, [string] $OutFile, [string] $Benchmark, [double] $Seconds)
    if ($OutFile) {
        New-Item -ItemType Directory -Path (Split-Path $OutFile) -Force | Out-Null
        [ordered]@{ benchmarks = @([ordered]@{ name = $Benchmark; seconds = [math]::Round($Seconds, 1) }); figures = $Figures } |
            ConvertTo-Json -Depth 6 | Set-Content -Path $OutFile -Encoding utf8
    }
    foreach ($figure in $Figures) {
        Write-Host ('{0}: {1:0.00} ({2:0.##} {3} against {4} {5:0.##} {3})' -f $figure.name, $figure.ratio, $figure.measured.value,
            $figure.measured.unit, $figure.baseline.name, $figure.baseline.value)
    }
}
