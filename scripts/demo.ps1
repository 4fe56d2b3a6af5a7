<#
.SYNOPSIS
    The MlOps tour on the Local platform: a real model from training to a promoted, downloaded prod version.

.DESCRIPTION
    Copies the example project (scripts/example: a scikit-learn model in models/diabetes with shared code in
    models/common_code) into a fresh work folder and walks through what a data scientist and an ops engineer do:
    check the settings, run the model's tests, train, see dev use the artifact folder directly, publish to test
    with the training metrics, promote the tested version to prod, download it and score with it.
    Run it through the build script, which builds the module and finds Python first:

        dotnet pwsh ./build.ps1 -Task Demo

.PARAMETER WorkFolder
    Where the demo project is created (emptied first). Default: out/demo in the repository.

.PARAMETER Python
    The Python interpreter with pytest and scikit-learn. Default: $env:MLOPS_PYTHON, else python3.
#>
[CmdletBinding()]
param(
    [string] $WorkFolder = (Join-Path $PSScriptRoot '../out/demo'),
    [string] $Python = $(if ($env:MLOPS_PYTHON) { $env:MLOPS_PYTHON } else { 'python3' })
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$ProgressPreference = 'SilentlyContinue'
Import-Module (Join-Path $PSScriptRoot '../MlOps.psd1') -Force

function Write-Step([string] $Text) {
    Write-Host ''
    Write-Host "== $Text" -ForegroundColor Cyan
}

function Invoke-Python {
    & $Python @args
    if ($LASTEXITCODE -ne 0) { throw "$Python $($args -join ' ') failed with exit code $LASTEXITCODE." }
}

$WorkFolder = [IO.Path]::GetFullPath($WorkFolder)
if (Test-Path $WorkFolder) {
    Get-ChildItem $WorkFolder -Recurse -File | ForEach-Object { $_.IsReadOnly = $false }
    Remove-Item $WorkFolder -Recurse -Force
}
$project = Join-Path $WorkFolder 'project'
New-Item -ItemType Directory -Path $WorkFolder -Force | Out-Null
Copy-Item (Join-Path $PSScriptRoot 'example') $project -Recurse
Push-Location $project
try {
    Write-Step "1. A model project: $project"
    Get-MlSetting | Format-List | Out-Host
    Test-MlSetting -Detailed | Format-Table -AutoSize | Out-Host
    Write-Host "Settings valid: $(Test-MlSetting 3>$null)"

    Write-Step '2. The model tests (python -m pytest models/diabetes)'
    Invoke-Python -m pytest models/diabetes -q -p no:cacheprovider

    Write-Step '3. Train: models.diabetes.model.train() writes artifacts/diabetes'
    $metrics = Invoke-Python -c "import json; from models.diabetes.model import train; print(json.dumps(train('artifacts/diabetes', {})))" |
        ConvertFrom-Json
    Write-Host "Training metrics: r2=$($metrics.r2), rows=$($metrics.train_rows), $($metrics.algorithm)"

    Write-Step '4. dev serves the artifact folder itself as diabetes/dev/1 (nothing copied)'
    Get-MlModelVersion diabetes -Environment dev | Format-Table -AutoSize | Out-Host

    Write-Step '5. Publish the trained artifact to test, twice (a retrain), with its metrics as metadata'
    $metadata = @{ r2 = $metrics.r2; train_rows = $metrics.train_rows; algorithm = $metrics.algorithm; commit = 'demo' }
    $first = Publish-MlModelArtifact -Name diabetes -Path ./artifacts/diabetes -Environment test -Metadata $metadata
    $second = Publish-MlModelArtifact -Name diabetes -Path ./artifacts/diabetes -Environment test -Metadata $metadata
    $first, $second | Format-Table -AutoSize | Out-Host

    Write-Step '6. Promote the latest test version to prod (same bytes, verified; lineage recorded)'
    $prod = Get-MlModelVersion diabetes -Environment test -Latest | Publish-MlModelArtifact -Environment prod -Confirm:$false
    $prod | Format-List Name, Environment, Version, ModelId, PromotedFrom, ContentHash, Metadata | Out-Host
    if ($prod.ContentHash -ne $second.ContentHash) { throw 'The promoted version does not hold the same bytes.' }

    Write-Step '7. Download the prod version (hash-verified) and score the two sample patients with it'
    $download = Join-Path $WorkFolder 'prod-artifact'
    $prod | Save-MlModelArtifact -Path $download
    $script = @"
import json
from models.diabetes import model
from models.diabetes.test_model import ServiceTest
init = model.initialization(r'$download', {})
prediction = model.predict(ServiceTest.prediction_input, init, {})
print(json.dumps({'status': 'ok', 'prediction': prediction, 'model_id': '$($prod.ModelId)'}))
"@
    $answer = Invoke-Python -c $script | ConvertFrom-Json
    Write-Host "Prediction with $($answer.model_id): $($answer.prediction -join ', ') (true progression: 151, 75)"

    Write-Step '8. The registry'
    Get-MlModelVersion | Format-Table -AutoSize | Out-Host
    Write-Host "Demo finished. Project: $project"
}
finally {
    Pop-Location
}
