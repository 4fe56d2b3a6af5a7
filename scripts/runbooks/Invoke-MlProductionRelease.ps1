<#
.SYNOPSIS
    Promotes the version a model's test service serves (tested there) from test to prod, deploys and tests it, and rolls back if the tests fail.

.DESCRIPTION
    The release runbook of the original workflow, built only from MlOps's public cmdlets:

    1. Finds the version the source environment's (test's) prediction service serves, provided its deployed service
       test passed there (Get-MlModelVersion -Serving).
    2. Promotes that version to the target environment (prod) with Publish-MlModelArtifact (hash-verified, with lineage).
    3. Deploys it with Deploy-MlPredictionService (model tests, package test, deployed test, then the switch).
    4. Tests the service callers now reach with Invoke-MlServiceTest, and any -SmokeTest you give.
    5. If step 4 fails, rolls the target service back with Restore-MlService and stops with an error.

    Supports -WhatIf (shows what would be promoted and deployed; changes nothing) and -Confirm.

.PARAMETER Name
    The model, as named in the settings.

.PARAMETER SourceEnvironment
    Where the version was tested (default test).

.PARAMETER TargetEnvironment
    Where to release it (default prod).

.PARAMETER SmokeTest
    Extra checks after the deploy: a script block that receives the deployment and throws (or returns $false) on failure.

.PARAMETER SettingsPath
    The project's settings file or folder (default: found from the current location).

.EXAMPLE
    ./scripts/runbooks/Invoke-MlProductionRelease.ps1 -Name diabetes -Confirm:$false

.EXAMPLE
    ./scripts/runbooks/Invoke-MlProductionRelease.ps1 -Name diabetes -SmokeTest { param($d) (Invoke-MlPrediction -InputObject $d -Data $sample).Status -eq 'ok' } -WhatIf
#>
[CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
param(
    [Parameter(Mandatory)] [string] $Name,
    [string] $SourceEnvironment = 'test',
    [string] $TargetEnvironment = 'prod',
    [scriptblock] $SmokeTest,
    [string] $SettingsPath
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$common = @{}
if ($SettingsPath) { $common.SettingsPath = $SettingsPath }

# What the source environment's service serves, having passed its deployed service test there (not merely the latest
# version: that one may have been rolled back, or published by a training service and never deployed).
$source = Get-MlModelVersion $Name -Environment $SourceEnvironment -Serving @common -ErrorAction SilentlyContinue
if (-not $source) {
    throw "'$Name' has no prediction service serving a tested version in ${SourceEnvironment}: deploy one there first (Deploy-MlPredictionService -Environment $SourceEnvironment)."
}
$tested = Get-MlDeploymentHistory $Name -Environment $SourceEnvironment @common | Where-Object IsCurrent
$trainedFrom = if ($source.Revision) { ", made from git commit $($source.Revision)" } else { '' }
Write-Verbose "Releasing $($source.ModelId) (tested in $SourceEnvironment on $($tested.DeployedTime)$trainedFrom) to $TargetEnvironment."

if (-not $PSCmdlet.ShouldProcess("$($source.ModelId) -> $TargetEnvironment", 'Promote, deploy and test')) {
    return
}

$promoted = $source | Publish-MlModelArtifact -Environment $TargetEnvironment -Force @common
$deployment = $promoted | Deploy-MlPredictionService -Force @common

$failure = $null
try {
    $test = $deployment | Invoke-MlServiceTest @common
    if (-not $test.Passed) { $failure = "the service test failed: $($test.Message)" }
    elseif ($SmokeTest) {
        $ok = & $SmokeTest $deployment
        if ($ok -is [bool] -and -not $ok) { $failure = 'the smoke test returned $false' }
    }
}
catch {
    $failure = $_.Exception.Message
}

if ($failure) {
    $history = @(Get-MlDeploymentHistory $Name -Environment $TargetEnvironment @common)
    if ($history.Count -gt 1) {
        $restored = Restore-MlService $Name -Environment $TargetEnvironment -Force @common
        throw "Released $($promoted.ModelId), but $failure. Rolled $($restored.Name) back to $($restored.ModelId)."
    }
    throw "Released $($promoted.ModelId), but $failure. There was no earlier deployment in $TargetEnvironment to roll back to."
}

$deployment
