<#
.SYNOPSIS
    Benchmark: deploying 4 models in parallel on the CDF emulator, as a ratio to the slowest single deploy.

.DESCRIPTION
    Starts the CDF emulator (loopback) with a function build delay that stands in for CDF's build time, makes a
    project of four models sharing the example's code, deploys each alone (the baseline: the slowest of the four),
    then deploys all four at once with -ThrottleLimit 4, in the same run. Writes its figure with Save-BenchFigures
    (build.ps1 -Task Bench collects it). Target: ratio <= 1.5 on a 2-core machine.
#>
[CmdletBinding()]
param(
    [int] $BuildDelaySeconds = 20,
    [string] $Python = $(if ($env:MLOPS_PYTHON) { $env:MLOPS_PYTHON } else { '/usr/bin/python3' }),
    [string] $OutFile,
    [switch] $Quick
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$RepoRoot = Resolve-Path (Join-Path $PSScriptRoot '../..')
. (Join-Path $RepoRoot 'tests/Pester/Common.ps1')
. (Join-Path $PSScriptRoot 'BenchFigures.ps1')
$started = [Diagnostics.Stopwatch]::StartNew()
if ($Quick) { $BuildDelaySeconds = 2 }
Import-Module (Join-Path $RepoRoot 'MlOps.psd1') -Force
$env:MLOPS_PYTHON = $Python
$cdf = Start-CdfEmulator -ExtraArguments '--build-delay-ms', ($BuildDelaySeconds * 1000)
$env:MLOPS_BENCH_CDF_SECRET = $cdf.ClientSecret
$project = Join-Path ([IO.Path]::GetTempPath()) "mlops-bench-parallel-$([guid]::NewGuid().ToString('N'))"
Copy-Item (Join-Path $RepoRoot 'scripts/example') $project -Recurse
Push-Location $project
try {
    & $Python -c "from models.diabetes.model import train; train('artifacts/diabetes', {})"
    $models = 'alpha', 'beta', 'gamma', 'delta'
    $connection = '"project": "' + $cdf.Project + '", "baseUrl": "' + $cdf.BaseUrl + '", "clientId": "' + $cdf.ClientId +
        '", "tokenUrl": "' + $cdf.TokenUrl + '", "clientSecretVariable": "MLOPS_BENCH_CDF_SECRET"'
    $entries = ($models | ForEach-Object { '{ "name": "' + $_ + '", "codeFolder": "models/diabetes", "artifactFolder": "artifacts/diabetes" }' }) -join ",`n    "
    @"
{
  "models": [
    $entries
  ],
  "environments": {
    "dev":  { "registry": { "type": "local" }, "platform": { "type": "local" } },
    "test": { "registry": { "type": "local" }, "platform": { "type": "cdf", $connection } }
  }
}
"@ | Set-Content mlops.settings.json
    foreach ($model in $models) { Publish-MlModelArtifact $model ./artifacts/diabetes -Environment test | Out-Null }

    $single = foreach ($model in $models) {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        Deploy-MlPredictionService $model -Environment test | Out-Null
        $clock.Elapsed.TotalSeconds
    }
    foreach ($model in $models) { Publish-MlModelArtifact $model ./artifacts/diabetes -Environment test | Out-Null }
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $parallel = @(Deploy-MlPredictionService $models -Environment test -ThrottleLimit 4)
    $wall = $clock.Elapsed.TotalSeconds
    if ($parallel.Count -ne 4) { throw "The parallel deploy deployed $($parallel.Count) of 4 models." }

    $slowest = ($single | Measure-Object -Maximum).Maximum
    $figure = New-BenchFigure -Name 'CDF Functions (emulator): 4 models deployed in parallel / the slowest single deploy' -Group 'deploy' `
        -BaselineName 'slowest of the 4 deploys run alone' -BaselineValue $slowest -MeasuredName 'Deploy-MlPredictionService 4 models -ThrottleLimit 4' `
        -MeasuredValue $wall -Unit 's' -TargetOf ratio -TargetOp '<=' -TargetValue 1.5 `
        -Note ("emulator build delay $BuildDelaySeconds s per function; single deploys " + (($single | ForEach-Object { '{0:0.0} s' -f $_ }) -join ', '))
    Save-BenchFigures -Figures @($figure) -OutFile $OutFile -Benchmark 'parallel-deploy' -Seconds $started.Elapsed.TotalSeconds
}
finally {
    Get-MlService -Environment test -ErrorAction SilentlyContinue | Remove-MlService -Force -Confirm:$false -ErrorAction SilentlyContinue
    Pop-Location
    Stop-CdfEmulator $cdf
    Remove-Item $project -Recurse -Force -ErrorAction SilentlyContinue
    $env:MLOPS_BENCH_CDF_SECRET = $null
}
