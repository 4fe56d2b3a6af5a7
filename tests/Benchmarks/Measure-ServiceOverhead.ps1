<#
.SYNOPSIS
    Benchmark: the overhead of a warm Invoke-MlPrediction over calling the model's predict() directly in Python,
    and the time to package, test and deploy the example model on the Local platform.

.DESCRIPTION
    Trains the example model (scripts/example) in a temporary project, deploys its prediction service, then
    measures in the same run: predict() called in a loop inside Python (the baseline), and Invoke-MlPrediction
    called in a loop from PowerShell with the same input. Prints a markdown table. Run by build.ps1 -Task Bench.
#>
[CmdletBinding()]
param(
    [int] $Calls = 300,
    [string] $Python = $(if ($env:MLOPS_PYTHON) { $env:MLOPS_PYTHON } else { '/usr/bin/python3' })
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
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
    $tests = ($deployment.TestResults | ForEach-Object { '{0} {1:0.0} s' -f $_.Test, $_.Duration.TotalSeconds }) -join ', '

    $data = @{
        age = 0.038076, -0.001882; sex = 0.05068, -0.044642; bmi = 0.061696, -0.051474; bp = 0.021872, -0.026328
        s1 = -0.044223, -0.008449; s2 = -0.034821, -0.019163; s3 = -0.043401, 0.074412; s4 = -0.002592, -0.039493
        s5 = 0.019907, -0.068332; s6 = -0.017646, -0.092204
    }
    $json = $data | ConvertTo-Json -Compress
    $direct = & $Python -c @"
import json, time
from models.diabetes import model
init = model.initialization('artifacts/diabetes', {})
data = json.loads('$json')
for _ in range(50): model.predict(data, init, {})
start = time.perf_counter()
for _ in range($Calls): model.predict(data, init, {})
print((time.perf_counter() - start) * 1000 / $Calls)
"@
    $directMs = [double]$direct

    1..50 | ForEach-Object { $null = Invoke-MlPrediction diabetes -Environment test -Data $data }
    $clock.Restart()
    for ($i = 0; $i -lt $Calls; $i++) {
        $answer = Invoke-MlPrediction diabetes -Environment test -Data $data
        if ($answer.Status -ne 'ok') { throw "Call $i answered $($answer.Error)" }
    }
    $invokeMs = $clock.Elapsed.TotalMilliseconds / $Calls
    $overhead = $invokeMs - $directMs

    Write-Output ''
    Write-Output '| figure | value | target | baseline |'
    Write-Output '|---|---|---|---|'
    Write-Output ('| warm Invoke-MlPrediction overhead over predict() in Python | {0:0.00} ms per call | < 5 ms | predict() {1:0.00} ms, Invoke-MlPrediction {2:0.00} ms |' -f $overhead, $directMs, $invokeMs)
    Write-Output ('| package, test and deploy the example (Local) | {0:0.0} s | - | {1} |' -f $deploySeconds, $tests)
}
finally {
    Get-MlService | Remove-MlService -Force -Confirm:$false
    Pop-Location
    Get-ChildItem $project -Recurse -File | ForEach-Object { $_.IsReadOnly = $false }
    Remove-Item $project -Recurse -Force
}
