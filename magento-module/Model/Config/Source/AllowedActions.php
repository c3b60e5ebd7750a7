<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model\Config\Source;

use Magento\Framework\Data\OptionSourceInterface;

/**
 * Lists the actions the bridge may offer to Gladly agents: order actions, and the customer's goodwill coupon.
 */
class AllowedActions implements OptionSourceInterface
{
    public const CANCEL = 'cancel';
    public const REFUND = 'refund';
    public const COMMENT = 'comment';
    public const HOLD = 'hold';
    public const UNHOLD = 'unhold';
    public const EMAIL = 'email';
    public const COUPON = 'coupon';
    public const ADDRESS = 'address';

    /**
     * Labels of the actions, keyed by the value stored in the configuration.
     */
    protected const LABELS = [
        self::CANCEL => 'Cancel order',
        self::REFUND => 'Refund order',
        self::COMMENT => 'Add order comment',
        self::HOLD => 'Hold order',
        self::UNHOLD => 'Release order from hold',
        self::EMAIL => 'Resend order email',
        self::COUPON => 'Issue goodwill coupon',
        self::ADDRESS => 'Change shipping address',
    ];

    /**
     * Return every action value in display order.
     *
     * @return string[]
     */
    public function getValues(): array
    {
        return array_keys(static::LABELS);
    }

    /**
     * Return the options for the admin multiselect.
     *
     * @return array<int, array{value: string, label: \Magento\Framework\Phrase}>
     */
    public function toOptionArray(): array
    {
        $options = [];
        foreach (static::LABELS as $value => $label) {
            $options[] = ['value' => $value, 'label' => __($label)];
        }
        return $options;
    }
}
