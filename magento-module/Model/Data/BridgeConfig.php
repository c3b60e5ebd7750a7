<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model\Data;

use Gladly\Connector\Api\Data\BridgeConfigInterface;
use Gladly\Connector\Api\Data\CouponRuleInterface;
use Gladly\Connector\Api\Data\OrderStatusLabelInterface;

/**
 * Immutable snapshot of the settings returned by GET /V1/gladly/config; built by BridgeConfigInterfaceFactory,
 * which passes the fields by constructor parameter name.
 */
class BridgeConfig implements BridgeConfigInterface
{
    private string $bridgeUrl;

    private string $productUrlSuffix;

    private string $adminBaseUrl;

    /**
     * @var string[]
     */
    private array $allowedActions;

    private string $setupCode;

    /**
     * @var CouponRuleInterface[]
     */
    private array $couponRules;

    /**
     * @var string[]
     */
    private array $capabilities;

    /**
     * @var OrderStatusLabelInterface[]
     */
    private array $orderStatuses;

    /**
     * @var string[]
     */
    private array $aiActions;

    private float $aiRefundMax;

    private float $aiRefundDailyMax;

    private int $aiOrderMaxAgeDays;

    private int $aiCouponPeriodDays;

    private int $aiCouponRule;

    /**
     * Capture every field of the snapshot.
     *
     * @param string $bridgeUrl
     * @param string $productUrlSuffix
     * @param string $adminBaseUrl
     * @param string[] $allowedActions
     * @param string $setupCode
     * @param CouponRuleInterface[] $couponRules
     * @param string[] $capabilities
     * @param OrderStatusLabelInterface[] $orderStatuses
     * @param string[] $aiActions
     * @param float $aiRefundMax
     * @param float $aiRefundDailyMax
     * @param int $aiOrderMaxAgeDays
     * @param int $aiCouponPeriodDays
     * @param int $aiCouponRule
     * @SuppressWarnings(PHPMD.ExcessiveParameterList) one field per value the bridge reads
     */
    public function __construct(
        string $bridgeUrl,
        string $productUrlSuffix,
        string $adminBaseUrl,
        array $allowedActions,
        string $setupCode,
        array $couponRules = [],
        array $capabilities = [],
        array $orderStatuses = [],
        array $aiActions = [],
        float $aiRefundMax = 0.0,
        float $aiRefundDailyMax = 0.0,
        int $aiOrderMaxAgeDays = 0,
        int $aiCouponPeriodDays = 1,
        int $aiCouponRule = 0
    ) {
        $this->bridgeUrl = $bridgeUrl;
        $this->productUrlSuffix = $productUrlSuffix;
        $this->adminBaseUrl = $adminBaseUrl;
        $this->allowedActions = array_values(array_map('strval', $allowedActions));
        $this->setupCode = $setupCode;
        $this->couponRules = array_values($couponRules);
        $this->capabilities = array_values(array_map('strval', $capabilities));
        $this->orderStatuses = array_values($orderStatuses);
        $this->aiActions = array_values(array_map('strval', $aiActions));
        $this->aiRefundMax = $aiRefundMax;
        $this->aiRefundDailyMax = $aiRefundDailyMax;
        $this->aiOrderMaxAgeDays = $aiOrderMaxAgeDays;
        $this->aiCouponPeriodDays = $aiCouponPeriodDays;
        $this->aiCouponRule = $aiCouponRule;
    }

    /**
     * @inheritdoc
     */
    public function getBridgeUrl(): string
    {
        return $this->bridgeUrl;
    }

    /**
     * @inheritdoc
     */
    public function getProductUrlSuffix(): string
    {
        return $this->productUrlSuffix;
    }

    /**
     * @inheritdoc
     */
    public function getAdminBaseUrl(): string
    {
        return $this->adminBaseUrl;
    }

    /**
     * @inheritdoc
     */
    public function getAllowedActions(): array
    {
        return $this->allowedActions;
    }

    /**
     * @inheritdoc
     */
    public function getSetupCode(): string
    {
        return $this->setupCode;
    }

    /**
     * @inheritdoc
     */
    public function getCouponRules(): array
    {
        return $this->couponRules;
    }

    /**
     * @inheritdoc
     */
    public function getCapabilities(): array
    {
        return $this->capabilities;
    }

    /**
     * @inheritdoc
     */
    public function getOrderStatuses(): array
    {
        return $this->orderStatuses;
    }

    /**
     * @inheritdoc
     */
    public function getAiActions(): array
    {
        return $this->aiActions;
    }

    /**
     * @inheritdoc
     */
    public function getAiRefundMax(): float
    {
        return $this->aiRefundMax;
    }

    /**
     * @inheritdoc
     */
    public function getAiRefundDailyMax(): float
    {
        return $this->aiRefundDailyMax;
    }

    /**
     * @inheritdoc
     */
    public function getAiOrderMaxAgeDays(): int
    {
        return $this->aiOrderMaxAgeDays;
    }

    /**
     * @inheritdoc
     */
    public function getAiCouponPeriodDays(): int
    {
        return $this->aiCouponPeriodDays;
    }

    /**
     * @inheritdoc
     */
    public function getAiCouponRule(): int
    {
        return $this->aiCouponRule;
    }
}
