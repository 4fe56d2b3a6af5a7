<#
.SYNOPSIS
    Runs the Pester suite in this (fresh) process and writes the counts to a JSON file for build.ps1.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ResultPath,
    [string[]] $Path = @($PSScriptRoot),
    [string] $Output = 'Normal',
    # The test tiers (build.ps1 -Tier): only tests with one of these tags, or without any of these; and -Filter's full names.
    [string[]] $Tag,
    [string[]] $ExcludeTag,
    [string] $FullNameFilter
)
$ErrorActionPreference = 'Stop'
# Plain text in this process and in the pwsh processes the tests start (pwsh honours NO_COLOR), so that logs and failure
# messages carry no ANSI escapes.
$env:NO_COLOR = '1'
$PSStyle.OutputRendering = 'PlainText'
Import-Module $PesterPath -MinimumVersion 5.7 -Force
$configuration = New-PesterConfiguration
$configuration.Run.Path = $Path
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = $Output
if ($Tag) { $configuration.Filter.Tag = $Tag }
if ($ExcludeTag) { $configuration.Filter.ExcludeTag = $ExcludeTag }
if ($FullNameFilter) { $configuration.Filter.FullName = $FullNameFilter }
# No NUnit XML report: nothing reads it, and Pester aborts the whole run (losing every count) when a failure message holds a
# character XML cannot carry, such as the ANSI escape of a coloured table a test compared.
$configuration.TestResult.Enabled = $false
$result = Invoke-Pester -Configuration $configuration
if ($null -eq $result -or (($result.PassedCount + $result.FailedCount) -eq 0 -and -not $FullNameFilter)) {
    throw 'Pester returned no result (it failed before or while reporting); no counts are written, so the run counts as failed.'
}

# The resilience suite's tests (tag Resilience, on the test or a block above it), counted per category tag.
$resilience = [ordered]@{}
foreach ($test in $result.Tests) {
    $tags = @($test.Tag)
    for ($block = $test.Block; $block; $block = $block.Parent) { $tags += @($block.Tag) }
    if ($tags -notcontains 'Resilience') { continue }
    $category = @($tags | Where-Object { $_ -and $_ -ne 'Resilience' } | Select-Object -First 1)
    $name = if ($category) { $category[0] } else { 'other' }
    if (-not $resilience.Contains($name)) { $resilience[$name] = [ordered]@{ Passed = 0; Failed = 0 } }
    if ($test.Result -eq 'Passed') { $resilience[$name].Passed++ } elseif ($test.Result -ne 'Skipped') { $resilience[$name].Failed++ }
}

[pscustomobject]@{
    Passed     = $result.PassedCount
    Failed     = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    Skipped    = $result.SkippedCount
    Resilience = $resilience
} | ConvertTo-Json -Depth 4 | Set-Content -Path $ResultPath -Encoding utf8
