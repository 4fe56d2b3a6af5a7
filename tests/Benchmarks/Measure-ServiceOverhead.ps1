<#
.SYNOPSIS
    Benchmark: the overhead of a warm Invoke-MlPrediction over calling the model's predict() directly in Python,
    and the time to package, test and deploy the example model on the Local platform.

.DESCRIPTION
    Trains the example model (scripts/example) in a temporary project, deploys its prediction service, then
    measures in the same run: predict() called in a loop inside Python (the baseline), and Invoke-MlPrediction
    called in a loop from PowerShell with the same input. Writes its figures to -OutFile (see BenchFigures.ps1).
    Run by build.ps1 -Task Bench.
#>
[CmdletBinding()]
param(
    [int] $Calls = 300,
    [string] $Python = $(if ($env:MLOPS_PYTHON) { $env:MLOPS_PYTHON } else { '/usr/bin/python3' }),
    [string] $OutFile,
    [switch] $Quick
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
. (Join-Path $PSScriptRoot 'BenchFigures.ps1')
$started = [Diagnostics.Stopwatch]::StartNew()
if ($Quick) { $Calls = 50 }
Import-Module (Join-Path $PSScriptRoot '../../MlOps.psd1') -Force
$env:MLOPS_PYTHON = $Python
$project = Join-Path ([IO.Path]::GetTempPath()) "mlops-bench-$([guid]::NewGuid().ToString('N'))"
Copy-Item (Join-Path $PSScriptRoot '../../scripts/example') $project -Recurse
Push-Location $project
try {
    & $Python -c "from models.diabetes.model import train; train('artifacts/diabetes', {})"
    $null = Publish-MlModelArtifact diabetes ./artifacts/diabetes -Environment test

    $clock = [Diagnostics.Stopwatch]::StartNew()
    $deployment = Deploy-MlPredictionService diabetes -Environment test
    $deploySeconds = $clock.Elapsed.TotalSeconds
    $testSeconds = ($deployment.TestResults | Measure-Object -Property { $_.Duration.TotalSeconds } -Sum).Sum

    $data = @{
        age = 0.038076, -0.001882; sex = 0.05068, -0.044642; bmi = 0.061696, -0.051474; bp = 0.021872, -0.026328
        s1 = -0.044223, -0.008449; s2 = -0.034821, -0.019163; s3 = -0.043401, 0.074412; s4 = -0.002592, -0.039493
        s5 = 0.019907, -0.068332; s6 = -0.017646, -0.092204
    }
    $json = $data | ConvertTo-Json -Compress
    # Both sides in blocks, the fastest block counting (as the throughput figures take the best round): on a shared
    # machine a block that other work slowed down says nothing about MlOps.
    $blocks = 5
    $perBlock = [math]::Max(10, [int]($Calls / $blocks))
    $direct = & $Python -c @"
import json, time
from models.diabetes import model
init = model.initialization('artifacts/diabetes', {})
data = json.loads('$json')
for _ in range(50): model.predict(data, init, {})
best = None
for _ in range($blocks):
    start = time.perf_counter()
    for _ in range($perBlock): model.predict(data, init, {})
    elapsed = (time.perf_counter() - start) * 1000 / $perBlock
    best = elapsed if best is None else min(best, elapsed)
print(best)
"@
    $directMs = [double]::Parse("$direct".Trim(), [cultureinfo]::InvariantCulture)

    1..50 | ForEach-Object { $null = Invoke-MlPrediction diabetes -Environment test -Data $data }
    $invokeMs = [double]::MaxValue
    for ($block = 0; $block -lt $blocks; $block++) {
        $clock.Restart()
        for ($i = 0; $i -lt $perBlock; $i++) {
            $answer = Invoke-MlPrediction diabetes -Environment test -Data $data
            if ($answer.Status -ne 'ok') { throw "Call $i answered $($answer.Error)" }
        }
        $invokeMs = [math]::Min($invokeMs, $clock.Elapsed.TotalMilliseconds / $perBlock)
    }
    $overhead = $invokeMs - $directMs

    $figures = @(
        New-BenchFigure -Name 'Local platform: warm Invoke-MlPrediction / predict() in Python' -Group 'services' `
            -BaselineName "the model's predict() called in Python" -BaselineValue $directMs -MeasuredName 'Invoke-MlPrediction, warm' `
            -MeasuredValue $invokeMs -Unit 'ms' -TargetOf difference -TargetOp '<' -TargetValue 5 -TargetUnit 'ms' `
            -Note ('overhead {0:0.00} ms per call (HTTP to the service process, JSON both ways, the cmdlet); fastest of {1} blocks of {2} calls on each side' -f $overhead, $blocks, $perBlock)
        New-BenchFigure -Name 'Local platform: package, test and deploy the example / its tests alone' -Group 'services' `
            -BaselineName 'model tests, package service test and deployed service test' -BaselineValue $testSeconds `
            -MeasuredName 'Deploy-MlPredictionService' -MeasuredValue $deploySeconds -Unit 's'
    )
    Save-BenchFigures -Figures $figures -OutFile $OutFile -Benchmark 'service-overhead' -Seconds $started.Elapsed.TotalSeconds
}
finally {
    Get-MlService | Remove-MlService -Force -Confirm:$false
    Pop-Location
    Get-ChildItem $project -Recurse -File | ForEach-Object { $_.IsReadOnly = $false }
    Remove-Item $project -Recurse -Force
}
