<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model\Data;

use Gladly\Connector\Api\Data\CouponRuleInterface;

/**
 * Immutable description of one cart price rule agents may issue coupons from.
 */
class CouponRule implements CouponRuleInterface
{
    private int $id;

    private string $name;

    private string $amount;

    private string $expiresOn;

    /**
     * Capture the published fields.
     *
     * @param int $id
     * @param string $name
     * @param string $amount
     * @param string $expiresOn
     */
    public function __construct(int $id, string $name, string $amount, string $expiresOn)
    {
        $this->id = $id;
        $this->name = $name;
        $this->amount = $amount;
        $this->expiresOn = $expiresOn;
    }

    /**
     * @inheritdoc
     */
    public function getId(): int
    {
        return $this->id;
    }

    /**
     * @inheritdoc
     */
    public function getName(): string
    {
        return $this->name;
    }

    /**
     * @inheritdoc
     */
    public function getAmount(): string
    {
        return $this->amount;
    }

    /**
     * @inheritdoc
     */
    public function getExpiresOn(): string
    {
        return $this->expiresOn;
    }
}
