<#
.SYNOPSIS
    The MlOps tour on the Local platform: a real model from training to tested services in test and prod.

.DESCRIPTION
    Copies the example project (scripts/example: a scikit-learn model in models/diabetes with shared code in
    models/common_code) into a fresh work folder and walks through what a data scientist and an ops engineer do:
    check the settings, run the model's tests, train, see dev use the artifact folder directly, publish to test
    with the training metrics, deploy and test the prediction service on the Local platform, call it, promote the
    version to prod and deploy it there, deploy the training service and let it publish a new version, download
    the prod version, redeploy test with the retrained version and roll it back, and list the registry and the
    services.
    Run it through the build script, which builds the module and finds Python first:

        dotnet pwsh ./build.ps1 -Task Demo

.PARAMETER WorkFolder
    Where the demo project is created (emptied first). Default: out/demo in the repository.

.PARAMETER Python
    The Python interpreter with pytest and scikit-learn. Default: $env:MLOPS_PYTHON, else python3.

.PARAMETER KeepServices
    Leave the demo's services running at the end (they outlive this session; remove them later with
    Get-MlService | Remove-MlService -Confirm:$false from the demo project folder).
#>
[CmdletBinding()]
param(
    [string] $WorkFolder = (Join-Path $PSScriptRoot '../out/demo'),
    [string] $Python = $(if ($env:MLOPS_PYTHON) { $env:MLOPS_PYTHON } else { 'python3' }),
    [switch] $KeepServices
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$ProgressPreference = 'SilentlyContinue'
# Tables in a log or a pipe stay plain text (pwsh would otherwise colour their headers with ANSI escapes).
if ([Console]::IsOutputRedirected) { $PSStyle.OutputRendering = 'PlainText' }
Import-Module (Join-Path $PSScriptRoot '../MlOps.psd1') -Force

function Write-Step([string] $Text) {
    Write-Host ''
    Write-Host "== $Text" -ForegroundColor Cyan
}

function Invoke-Python {
    & $Python @args
    if ($LASTEXITCODE -ne 0) { throw "$Python $($args -join ' ') failed with exit code $LASTEXITCODE." }
}

$env:MLOPS_PYTHON = (Get-Command $Python -ErrorAction Stop).Source
$WorkFolder = [IO.Path]::GetFullPath($WorkFolder)
if (Test-Path (Join-Path $WorkFolder 'project/mlops.settings.json')) {
    # Services of an earlier run outlive it: stop them before their folder goes.
    Push-Location (Join-Path $WorkFolder 'project')
    try { Get-MlService | Remove-MlService -Force -Confirm:$false } finally { Pop-Location }
}
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
    if (Get-Command git -ErrorAction SilentlyContinue) {
        # A project lives in git: versions and deployments record the commit they were made from.
        git init -q . 2>$null
        git add -A
        git -c user.name='MlOps demo' -c user.email='demo@example.invalid' commit -q -m 'The example model'
        Write-Host "Committed to git as $(git rev-parse --short=10 HEAD): versions and deployments will record it."
    }

    Write-Step '2. The model tests (python -m pytest models/diabetes)'
    Invoke-Python -m pytest models/diabetes -q -p no:cacheprovider

    Write-Step '3. Train: models.diabetes.model.train() writes artifacts/diabetes'
    $metrics = Invoke-Python -c "import json; from models.diabetes.model import train; print(json.dumps(train('artifacts/diabetes', {})))" |
        ConvertFrom-Json
    Write-Host "Training metrics: r2=$($metrics.r2), rows=$($metrics.train_rows), $($metrics.algorithm)"

    Write-Step '4. dev serves the artifact folder itself as diabetes/dev/1 (nothing copied)'
    Get-MlModelVersion diabetes -Environment dev | Format-Table -AutoSize | Out-Host

    Write-Step '5. Publish the trained artifact to test, twice (as after a retrain), with its metrics as metadata'
    $metadata = @{ r2 = $metrics.r2; train_rows = $metrics.train_rows; algorithm = $metrics.algorithm }
    $first = Publish-MlModelArtifact -Name diabetes -Path ./artifacts/diabetes -Environment test -Metadata $metadata
    $second = Publish-MlModelArtifact -Name diabetes -Path ./artifacts/diabetes -Environment test -Metadata $metadata
    $first, $second | Format-Table -AutoSize | Out-Host

    Write-Step '6. Deploy the prediction service to test (model tests, package test, start, service test, switch)'
    $testService = Get-MlModelVersion diabetes -Environment test -Latest | Deploy-MlPredictionService
    $testService | Format-Table -AutoSize | Out-Host
    $testService.TestResults | Format-Table -AutoSize | Out-Host

    Write-Step '7. Call it with the two sample patients, and with bad input'
    $patients = @{
        age = 0.038076, -0.001882; sex = 0.05068, -0.044642; bmi = 0.061696, -0.051474; bp = 0.021872, -0.026328
        s1 = -0.044223, -0.008449; s2 = -0.034821, -0.019163; s3 = -0.043401, 0.074412; s4 = -0.002592, -0.039493
        s5 = 0.019907, -0.068332; s6 = -0.017646, -0.092204
    }
    $answer = Invoke-MlPrediction diabetes -Environment test -Data $patients
    Write-Host "test answered: status=$($answer.Status) prediction=$($answer.Result -join ', ') model_id=$($answer.ModelId) (true progression: 151, 75)"
    $bad = Invoke-MlPrediction diabetes -Environment test -Data @{ age = 0.03 } -ErrorAction SilentlyContinue
    Write-Host "bad input answered: status=$($bad.Status) error=$($bad.Error)"
    Get-MlServiceLog diabetes -Environment test -CallId $answer.CallId | Format-Table -AutoSize | Out-Host

    Write-Step '8. Promote the tested version to prod (same number and bytes, verified; lineage recorded) and deploy it there'
    $prod = Get-MlModelVersion diabetes -Environment test -Serving | Publish-MlModelArtifact -Environment prod -Confirm:$false
    $prod | Format-List Name, Environment, Version, ModelId, PromotedFrom, ContentHash, Revision | Out-Host
    if ($prod.ContentHash -ne $second.ContentHash) { throw 'The promoted version does not hold the same bytes.' }
    $prodService = $prod | Deploy-MlPredictionService -Confirm:$false
    $prodAnswer = $prodService | Invoke-MlPrediction -Data $patients
    Write-Host "prod answered: status=$($prodAnswer.Status) prediction=$($prodAnswer.Result -join ', ') model_id=$($prodAnswer.ModelId)"
    ($prodService | Invoke-MlServiceTest) | Format-Table -AutoSize | Out-Host

    Write-Step '9. The training service: deploy it to test and let it train and publish the next version'
    $training = Deploy-MlTrainingService diabetes -Environment test
    $trained = $training | Invoke-MlTraining
    Write-Host "training answered: status=$($trained.Status) model_id=$($trained.Result.model_id) r2=$($trained.Result.r2)"

    Write-Step '10. Deploy the retrained version to test, then roll back to the one before it'
    $retrained = Deploy-MlPredictionService diabetes -Environment test
    Write-Host "test now serves $($retrained.ModelId)"
    $rolledBack = Restore-MlService diabetes -Environment test
    Write-Host "rolled back: test serves $($rolledBack.ModelId) again"
    Get-MlDeploymentHistory diabetes -Environment test | Format-Table -AutoSize | Out-Host

    Write-Step '11. Download the prod version (hash-verified)'
    $download = Join-Path $WorkFolder 'prod-artifact'
    $prod | Save-MlModelArtifact -Path $download -PassThru | Format-Table FullName | Out-Host

    Write-Step '12. The registry (and where each version comes from) and the services'
    Get-MlModelVersion | Format-Table -AutoSize | Out-Host
    Get-MlModelVersion | Format-Table -View Lineage -AutoSize | Out-Host
    Get-MlService | Format-Table -AutoSize | Out-Host
    if ($answer.Status -ne 'ok' -or $prodAnswer.Status -ne 'ok' -or $trained.Status -ne 'ok') { throw 'A service did not answer ok.' }
    if (-not $KeepServices) {
        Get-MlService | Remove-MlService -Force -Confirm:$false
        Write-Host 'Services removed (run with -KeepServices to leave them running).'
    }
    Write-Host "Demo finished. Project: $project"
}
finally {
    Pop-Location
}
