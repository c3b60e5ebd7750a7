<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model\Data;

use Gladly\Connector\Api\Data\GoodwillCouponInterface;

/**
 * An issued goodwill coupon code, as the web API returns it.
 */
class GoodwillCoupon implements GoodwillCouponInterface
{
    private string $code;

    private int $ruleId;

    private int $orderId;

    private int $customerId;

    private string $issuedAt;

    /**
     * Capture the returned fields.
     *
     * @param string $code
     * @param int $ruleId
     * @param int $orderId
     * @param int $customerId
     * @param string $issuedAt
     */
    public function __construct(string $code, int $ruleId, int $orderId, int $customerId, string $issuedAt)
    {
        $this->code = $code;
        $this->ruleId = $ruleId;
        $this->orderId = $orderId;
        $this->customerId = $customerId;
        $this->issuedAt = $issuedAt;
    }

    /**
     * @inheritdoc
     */
    public function getCode(): string
    {
        return $this->code;
    }

    /**
     * @inheritdoc
     */
    public function getRuleId(): int
    {
        return $this->ruleId;
    }

    /**
     * @inheritdoc
     */
    public function getOrderId(): int
    {
        return $this->orderId;
    }

    /**
     * @inheritdoc
     */
    public function getCustomerId(): int
    {
        return $this->customerId;
    }

    /**
     * @inheritdoc
     */
    public function getIssuedAt(): string
    {
        return $this->issuedAt;
    }
}
